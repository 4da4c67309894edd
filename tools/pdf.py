"""Print the whole book as one PDF, numbered like the website: `make pdf` (python tools/pdf.py [OUT]).

The route: the website's own HTML printed by the headless Debian chromium that the browser tests
already use (Playwright's page.pdf), not Sphinx's LaTeX builder with TeX Live. The numbers and
names then come from the same Sphinx HTML as the website's: in LaTeX, LaTeX numbers figures and
equations with its own counters, not _ext/numbering.py's 3.7.n, and sphinx-proof titles a
Mathematical Intuition "Remark" (the renaming reaches only its HTML writer). MathJax typesets the
math as vector text, and CI installs nothing but poppler-utils (about 2 MB) next to chromium,
where TeX Live for Sphinx (xetex, latex-extra, latexmk) is about 90 Debian packages and 320 MB
to download and install on every fresh CI machine.

1. Build the site again into _build/print, from the same sources and stored outputs as the website
   (the figures are SVG, drawn by scratchnet.style: vector lines and text on paper too), so the
   PDF shows what nbval verified and the same numbers; tests/test_pdf.py compares them.
2. In chromium, make one document of it: a title page, the contents, then the article of every
   page in reading order (the root page, then its "next" links). Ids get the page's name as a
   prefix, so that links between pages become links inside the PDF. Each chapter's solutions
   (dropdowns on the website) are collected at its end; cell sources that the website hides
   behind "Show code cell source" (the code drawing a figure) stay out, as there.
3. Print it twice: the first PDF tells (pdfinfo -dests) on which page each chapter, section and
   solution starts, which the contents and the exercises then show.
"""
import contextlib
import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import yaml
from playwright import sync_api

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
from pdf_download import PDF  # noqa: E402  (the file name the website links)

PRINT = ROOT / "_build" / "print"  # the site built for print; its HTML is in PRINT/_build/html
PAGE_WIDTH_MM, MARGIN_MM = 210, {"top": 18, "bottom": 18, "left": 20, "right": 20}  # A4
TEXT_WIDTH_PX = round((PAGE_WIDTH_MM - MARGIN_MM["left"] - MARGIN_MM["right"]) / 25.4 * 96)
FOOTER = (f'<div style="width: 100%; padding: 0 {MARGIN_MM["right"]}mm 0 {MARGIN_MM["left"]}mm; display: flex; '
          'box-sizing: border-box; justify-content: space-between; font: 8pt sans-serif; color: #444;">'
          '<span class="title"></span><span class="pageNumber"></span></div>')
PDF_OPTIONS = dict(format="A4", margin={side: f"{mm}mm" for side, mm in MARGIN_MM.items()},
                   print_background=True, display_header_footer=True, header_template="<span></span>",
                   footer_template=FOOTER, outline=True, tagged=True)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

ASSEMBLE = """async (meta) => {
    const parser = new DOMParser(), pages = [], slugs = new Map();
    for (let url = new URL(location.href); url && !slugs.has(url.pathname); ) {
        const doc = parser.parseFromString(await (await fetch(url)).text(), 'text/html');
        const slug = url.pathname.slice(1).replace(/\\.html$/, '').replace(/[^A-Za-z0-9]+/g, '-');
        slugs.set(url.pathname, slug);
        pages.push({url, slug, article: doc.querySelector('article.bd-article')});
        const next = doc.querySelector('a.right-next');
        url = next && new URL(next.getAttribute('href'), url);
    }
    const book = document.createElement('main'), text = s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    book.className = 'pdf-book';
    book.innerHTML = `<section class="pdf-title-page"><h1>${text(meta.title)}</h1>
        <p class="pdf-subtitle">${text(meta.description)}</p><p class="pdf-author">${text(meta.author)}</p>
        <p class="pdf-copyright">© ${text(meta.copyright)}</p></section>`;
    for (const {url, slug, article} of pages) {
        const chapter = document.createElement('article');
        chapter.className = 'bd-article pdf-chapter';
        chapter.id = slug;
        chapter.dataset.url = url.href;
        chapter.append(...article.childNodes);
        chapter.querySelectorAll('a.headerlink, button, details.hide').forEach(e => e.remove());
        chapter.querySelectorAll('details').forEach(d => d.open = true);
        chapter.querySelectorAll('[id]').forEach(e => e.id = `${slug}--${e.id}`);
        chapter.querySelectorAll('img[src]').forEach(i => {  // on paper every figure, at once
            i.loading = 'eager';
            i.src = new URL(i.getAttribute('src'), url).href;
        });
        const solutions = chapter.querySelectorAll('div.solution');
        if (solutions.length) {
            const section = document.createElement('section');
            section.className = 'pdf-solutions';
            section.id = `${slug}--pdf-solutions`;
            section.innerHTML = '<h2>Solutions</h2>';
            solutions.forEach(s => s.classList.remove('dropdown'));
            section.append(...solutions);
            chapter.append(section);
        }
        book.append(chapter);
    }
    // Links to pages of the book go to their place in the PDF; links to other files of the
    // site (notebook sources, the index) become plain text; links out of the site stay.
    for (const a of book.querySelectorAll('a[href]')) {
        const target = new URL(a.getAttribute('href'), a.closest('.pdf-chapter').dataset.url);
        if (target.origin !== location.origin) continue;
        const slug = slugs.get(target.pathname), id = decodeURIComponent(target.hash.slice(1));
        if (slug === undefined) a.replaceWith(...a.childNodes);
        else a.setAttribute('href', '#' + (id ? `${slug}--${id}` : slug));
    }
    const entry = (heading, id) => {
        const title = heading.cloneNode(true);
        title.querySelectorAll('[id]').forEach(e => e.removeAttribute('id'));
        return `<li><a href="#${id}"><span class="pdf-toc-title">${title.innerHTML}</span>
            <span class="pdf-page" data-dest="${id}"></span></a>`;
    };
    const contents = [...book.querySelectorAll('.pdf-chapter')].map(chapter => {
        const sections = [...chapter.querySelectorAll('section > h2')].map(h => entry(h, h.parentElement.id));
        return entry(chapter.querySelector('h1'), chapter.id) + `<ol>${sections.join('')}</ol></li>`;
    });
    book.querySelector('.pdf-title-page').insertAdjacentHTML('afterend',
        `<nav class="pdf-contents"><h1>Contents</h1><ol>${contents.join('')}</ol></nav>`);
    document.title = meta.title;
    document.body.replaceChildren(book);
    // Each exercise says where its solution is.
    for (const solution of book.querySelectorAll('div.solution')) {
        const exercise = document.getElementById(
            decodeURIComponent(solution.querySelector('.admonition-title a').getAttribute('href').slice(1)));
        exercise.insertAdjacentHTML('beforeend', `<p class="pdf-solution-ref"><a href="#${solution.id}">Solution
            on page <span class="pdf-page" data-dest="${solution.id}"></span></a></p>`);
    }
    const broken = [...book.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute('href'))
        .filter(href => !document.getElementById(decodeURIComponent(href.slice(1))));
    await MathJax.startup.promise;
    MathJax.typesetClear();
    await MathJax.typesetPromise();
    await Promise.all([...document.images].map(i => i.decode().catch(() => null)));
    await document.fonts.ready;
    // A display formula wider than the column is scaled down to fit (MathJax 3 cannot break lines).
    for (const formula of book.querySelectorAll('mjx-container[display="true"]')) {
        const size = parseFloat(getComputedStyle(formula).fontSize);
        if (formula.scrollWidth > formula.clientWidth)
            formula.style.fontSize = `${Math.floor(size * formula.clientWidth / formula.scrollWidth * 10) / 10}px`;
    }
    const right = book.getBoundingClientRect().right + 0.5;
    const wide = [...book.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > right
        && !e.closest('mjx-assistive-mml') && !(e.parentElement.getBoundingClientRect().right > right));
    return {
        pages: pages.map(p => p.url.pathname),
        broken,
        unloaded: [...document.images].filter(i => !i.naturalWidth).map(i => i.src),
        unrendered: [...book.querySelectorAll('.math:not(:has(mjx-container))')].map(e => e.textContent),
        wide: wide.map(e => `${e.tagName.toLowerCase()}.${e.className}: ${e.textContent.slice(0, 80)}`),
    };
}"""
# Writes each chapter's, section's and solution's page number: whether one changed, and the
# targets that have no page.
NUMBER_PAGES = """(destinations) => {
    let changed = false, missing = [];
    for (const span of document.querySelectorAll('.pdf-page')) {
        const page = String(destinations[span.dataset.dest] ?? '');
        if (!page) missing.push(span.dataset.dest);
        changed ||= span.textContent !== page;
        span.textContent = page;
    }
    return {changed, missing};
}"""


def build_print_site():
    """Build the book's HTML into PRINT (the stored outputs, as on the website); its html folder."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    extensions = config["sphinx"]["local_extensions"]  # relative to the config file: make absolute
    config["sphinx"]["local_extensions"] = {name: str(ROOT / path) for name, path in extensions.items()}
    PRINT.mkdir(parents=True, exist_ok=True)
    (PRINT / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True))
    subprocess.run([Path(sys.executable).parent / "jupyter-book", "build", ROOT, "--all", "-W", "-n",
                    "--keep-going", "--path-output", PRINT, "--config", PRINT / "_config.yml"],
                   check=True)
    return PRINT / "_build" / "html"


@contextlib.contextmanager
def served(folder):
    """The folder served over HTTP on 127.0.0.1 at a free port; yields the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=folder))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@contextlib.contextmanager
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("tools/pdf.py needs Debian's chromium: apt-get install chromium poppler-utils")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def destinations(pdf):
    """{name: page} of the PDF's named destinations (chromium makes one for every link target)."""
    listing = subprocess.run(["pdfinfo", "-dests", pdf], capture_output=True, text=True, check=True).stdout
    return {name: int(page) for page, name in re.findall(r'^\s*(\d+) \[.*\] "(.*)"$', listing, re.MULTILINE)}


def print_book(html, out):
    """Print the site in `html` to `out`, as one document; returns the pages it holds, in order."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    meta = {key: str(config[key]).strip() for key in ("title", "description", "author", "copyright")}
    root = yaml.safe_load((ROOT / "_toc.yml").read_text())["root"]
    with served(html) as server, browser() as chromium:
        context = chromium.new_context(viewport={"width": TEXT_WIDTH_PX, "height": 1000}, color_scheme="light")
        context.add_init_script("window.localStorage.setItem('mode', 'light');")
        page = context.new_page()
        page.emulate_media(media="print")
        page.goto(f"{server}{root.removesuffix('.ipynb').removesuffix('.md')}.html")
        page.wait_for_load_state("networkidle")
        report = page.evaluate(ASSEMBLE, meta)
        problems = {key: report[key] for key in ("broken", "unloaded", "unrendered") if report[key]}
        if problems:
            sys.exit(f"tools/pdf.py: the book cannot be printed: {problems}")
        for element in report["wide"]:
            print(f"tools/pdf.py: wider than the page: {element}", file=sys.stderr)
        out.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(4):  # until the page numbers it shows are those it has
            page.pdf(path=out, **PDF_OPTIONS)
            numbered = page.evaluate(NUMBER_PAGES, destinations(out))
            if numbered["missing"]:
                sys.exit(f"tools/pdf.py: no page for {numbered['missing']}")
            if not numbered["changed"]:
                break
        else:
            sys.exit("tools/pdf.py: the page numbers do not settle")
        context.close()
    return report["pages"]


if __name__ == "__main__":
    out = ROOT / (sys.argv[1] if len(sys.argv) > 1 else PDF)
    pages = print_book(build_print_site(), out)
    print(f"tools/pdf.py: {len(pages)} pages of the website in {out}")
