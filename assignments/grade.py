"""Grade a folder of submitted notebooks with `otter run` and collect the scores into one CSV.

    python assignments/grade.py AUTOGRADER_ZIP SUBMISSIONS_DIR GRADES_CSV

Every `*.ipynb` in SUBMISSIONS_DIR is run against every test in the zip, public and hidden, one
at a time and without Docker: this executes the students' code on your machine. The CSV has a
row per submission (named by its file name): the score of each question, the total and the
maximum. `otter run` exits 0 whatever the score, so the scores are read from its results.json.
"""
import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path


def grade(autograder, notebook):
    """{question: (score, max_score)} for one submission."""
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(autograder),
                              "-o", out, str(notebook)], capture_output=True, text=True)
        results = Path(out) / "results.json"
        if not results.exists():
            raise RuntimeError(f"otter run wrote no results for {notebook}:\n{run.stdout}\n{run.stderr}")
        tests = json.loads(results.read_text())["tests"]
    return {t["name"]: (t["score"], t["max_score"]) for t in tests if "score" in t}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("autograder", type=Path, help="the assignment's NAME-autograder.zip")
    parser.add_argument("submissions", type=Path, help="a folder of submitted .ipynb files")
    parser.add_argument("csv", type=Path, help="the CSV file to write")
    args = parser.parse_args(argv)
    notebooks = sorted(args.submissions.glob("*.ipynb"))
    if not notebooks:
        parser.error(f"no .ipynb files in {args.submissions}")
    rows = []
    for notebook in notebooks:
        scores = grade(args.autograder, notebook)
        total, possible = (sum(s[i] for s in scores.values()) for i in (0, 1))
        rows.append({"submission": notebook.name, **{q: s for q, (s, _) in scores.items()},
                     "total": total, "max": possible})
        print(f"{notebook.name}: {total:g} / {possible:g}")
    with open(args.csv, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {args.csv} ({len(rows)} submissions)")


if __name__ == "__main__":
    main()
