"""The book's PDF (tools/pdf.py, `make pdf`; `make book` builds it and links it from the site).

Read with poppler's tools (pdftotext, pdfinfo, pdfimages: Debian's poppler-utils) and compared
with the website that `make book` built (_build/html): every chapter, all of its text and code,
the same numbers, the figures, no unresolved reference, no raw TeX. Chromium cuts off whatever
runs past the text area (a long code line that does not wrap, a scroll box), so a line that does
not fit the page is one whose text is missing from the PDF: the check is that the PDF holds every
line of the website's code and outputs. (The words' boxes, `pdftotext -bbox`, cannot show it: the
cut-off part is not in the PDF at all.)
"""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT, book_pages

sys.path.insert(0, str(ROOT / "tools"))
import pdf as tool  # noqa: E402

POINTS_PER_MM = 72 / 25.4
NUMBERED = re.compile(r"\b(Solution to Exercise|Definition|Mathematical Intuition|Proposition|Theorem|Example|Exercise|Fig\.|Figure"
                      r"|Table)\s+(3\.7\.\d+)\b")
EQUATION = re.compile(r"\((3\.7\.\d+)\)")
RAW_TEX = re.compile(r"\\[A-Za-z]+|\\[()\[\]]|\$\$|[_^]\{")
PRINT_PPI = 200  # figures are vector, or raster at print resolution (the website's PNGs are 96)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
BLOCK = {"article", "blockquote", "caption", "dd", "details", "div", "dl", "dt", "figcaption", "figure",
         "h1", "h2", "h3", "h4", "h5", "h6", "li", "ol", "p", "pre", "section", "summary", "table", "td",
         "th", "tr", "ul"}


def need(message):
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def squeeze(text):
    """The text without its whitespace (where lines wrap differs), ligatures spelled out."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


class Article(HTMLParser):
    """A built page's article as a reader gets it, without the formulas' TeX and what the page
    hides (cell sources behind "Show code cell source"): its prose in fragments (the runs of text
    between formulas, code and block boundaries), its lines of code and output, its titles (h1)
    and how many images follow each, and its whole text."""

    def __init__(self, path):
        super().__init__()
        self.open = []  # the article and its open elements: (tag, classes)
        self.fragments, self.code, self.h1s, self.images, self.parts = [""], [], [], [], []
        self.feed(Path(path).read_text(encoding="utf-8"))
        self.text = "".join(self.parts)
        self.title = re.sub(r"\s+", " ", self.h1s[0]).strip() if self.h1s else None
        self.code_lines = [line for block in self.code for line in block.splitlines() if line.strip()]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        if not self.open:
            if tag == "article" and "bd-article" in classes:
                self.open.append((tag, classes))
            return
        if tag == "img" and self.images and not self.hidden():
            self.images[-1] += 1
        if tag in VOID:
            return
        if tag == "h1":
            self.h1s.append("")
            self.images.append(0)
        self.open.append((tag, classes))
        if tag == "pre" and not self.hidden():
            self.code.append("")
        if tag in BLOCK:
            self.fragments.append("")

    def handle_endtag(self, tag):
        if tag not in (t for t, _ in self.open):  # outside the article, or a stray or void (<img/>) tag
            return
        while self.open.pop()[0] != tag:
            pass
        if tag in BLOCK:
            self.fragments.append("")

    def handle_data(self, data):
        if not self.open or self.hidden():
            return
        if self.open and "math" in self.open[-1][1]:  # the TeX of a formula; its number is a child element
            self.fragments.append("")
            return
        self.parts.append(data)
        if any(tag == "pre" for tag, _ in self.open):
            self.code[-1] += data
        else:
            self.fragments[-1] += data
        if any(tag == "h1" for tag, _ in self.open):
            self.h1s[-1] += data

    def hidden(self):
        return any(tag in ("script", "style", "button") or "headerlink" in classes
                   or tag == "details" and "hide" in classes for tag, classes in self.open)


def numbers(text):
    """The book's numbers in a text: {("Definition", "3.7.1"), ..., ("equation", "3.7.1"), ...}."""
    text = re.sub(r"\s+", " ", text)
    found = {("Figure" if kind == "Fig." else kind, number) for kind, number in NUMBERED.findall(text)}
    return found | {("equation", number) for number in EQUATION.findall(text)}


def missing(pieces, pages):
    """The pieces (of the website's text) that are not in the pages' texts, whitespace aside.

    Chromium draws a page's positioned boxes (admonitions, code blocks, formulas) after the rest
    of the page, so a piece that continues on the next page has its start somewhere in one page
    and its end in the next.
    """
    pages = [squeeze(page) for page in pages]
    text = "".join(pages)

    def longest_start(piece, page):  # the length of the longest start of the piece in the page
        low, high = 0, len(piece)
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if piece[:middle] in page else (low, middle - 1)
        return low

    def found(piece):
        return piece in text or any(piece[longest_start(piece, page):] in after
                                    for page, after in zip(pages, pages[1:]))

    return [piece for piece in pieces if not found(squeeze(piece))]


def poppler(*command):
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def page_texts(path):
    """The text of every page in the order it was drawn (the page's), without the footer in the bottom margin."""
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", poppler("pdfinfo", path)).groups())
    body = height - tool.MARGIN_MM["bottom"] * POINTS_PER_MM
    text = poppler("pdftotext", "-raw", "-enc", "UTF-8", "-x", "0", "-y", "0", "-W", str(int(width)), "-H", str(int(body)),
                   path, "-")
    return text.split("\f")[:-1]


@pytest.fixture(scope="module")
def book(site):
    """The PDF the website links, after checking that it is the one `make pdf` wrote."""
    for program in ("pdftotext", "pdfinfo", "pdfimages"):
        if shutil.which(program) is None:
            need(f"{program} is not installed: apt-get install poppler-utils")
    path = site / tool.PDF.name
    if not path.is_file():
        need(f"No {tool.PDF.name} in the site: `make book` prints it when chromium and poppler-utils "
             "are installed (apt-get install chromium poppler-utils)")
    assert path.read_bytes() == (ROOT / tool.PDF).read_bytes(), "the site serves another PDF than make pdf wrote"
    return path


@pytest.fixture(scope="module")
def pages(book):
    return page_texts(book)


@pytest.fixture(scope="module")
def articles(site):
    return {docname: Article(site / f"{docname}.html") for docname in book_pages()}


def test_every_chapter_starts_a_page_in_order_and_the_contents_say_where(pages, articles):
    titles = [a.title for a in articles.values()]
    starts = {}
    for number, text in enumerate(pages[1:], start=2):  # page 1 is the title page
        first = re.sub(r"\s+", " ", text).strip()
        if not starts and not first.startswith(titles[0]):
            continue  # the contents, whose pages may start with any chapter's title
        starts.update({title: number for title in titles if first.startswith(title) and title not in starts})
    assert list(starts) == titles, "chapters missing or out of order"
    assert sorted(starts.values()) == list(starts.values())
    contents = re.sub(r"\s+", " ", "".join(pages[1:starts[titles[0]] - 1]))
    assert contents.startswith("Contents")
    assert [title for title, page in starts.items() if f"{title} {page}" not in contents] == []


def test_all_text_and_code_of_every_page_is_in_the_pdf(pages, articles):
    """Also that no line of code or output ran off the page: what runs off is cut off."""
    assert {docname: missing(a.fragments + a.code_lines, pages) for docname, a in articles.items()} == dict.fromkeys(articles, [])
    assert sum(len(a.code_lines) for a in articles.values()) > 500, "hardly any code: is this the built book?"


def test_numbers_are_the_websites(pages, articles):
    on_website = set().union(*(numbers(a.text) for a in articles.values()))
    assert numbers("".join(pages)) == on_website
    kinds = {kind for kind, _ in on_website}
    assert {"Definition", "Example", "Exercise", "Solution to Exercise", "equation"} <= kinds
    assert ("Definition", "3.7.1") in on_website


def figures_per_h1(structure):
    """From `pdfinfo -struct`: how many images follow each H1, up to the next. (A <figure> is a
    Figure element too, around its image's Figure and its Caption: only the inner one counts.)"""
    elements = [(len(line) - len(line.lstrip()), line.split()[0]) for line in structure.splitlines() if line.strip()]
    counts = []
    for (indent, name), (next_indent, next_name) in zip(elements, elements[1:] + [(0, "")]):
        if name == "H1":
            counts.append(0)
        elif name == "Figure" and not (next_name == "Figure" and next_indent > indent):
            counts[-1] += 1
    return counts


def test_figures_are_there_per_chapter_at_print_quality(book, articles):
    # (-struct-text would name the headings, but takes minutes on this PDF.)
    structure = subprocess.run(["pdfinfo", "-struct", book], capture_output=True, text=True, check=True).stdout
    on_website = [n for a in articles.values() for n in a.images]
    assert figures_per_h1(structure) == [0, 0] + on_website  # the title page, the contents, the chapters
    assert sum(on_website) > 10
    # page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
    images = [line.split() for line in poppler("pdfimages", "-list", book).splitlines()[2:]]
    assert [i for i in images if i[2] != "smask" and min(int(i[12]), int(i[13])) < PRINT_PPI] == []


def test_references_are_resolved(pages):
    text = "".join(pages)
    assert "??" not in text
    assert text.count("Solution on page") == len(re.findall(r"Solution on page \d+\b", text)) > 0


def raw_tex(lines, code):
    """The lines that hold TeX (a formula MathJax did not typeset) and are not part of the code."""
    code = squeeze(code)
    return [line for line in lines if RAW_TEX.search(line) and squeeze(line) not in code]


def test_no_raw_tex_outside_code(pages, articles):
    code = "".join("".join(a.code) for a in articles.values())
    assert raw_tex([line for page in pages for line in page.splitlines()], code) == []


def test_the_pdf_is_a_tagged_a4_book(book):
    info = poppler("pdfinfo", book)
    assert re.search(r"^Title:\s+3\.7 Neural Networks$", info, re.MULTILINE)
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE)
    assert "(A4)" in info


class Links(HTMLParser):
    def __init__(self, path):
        super().__init__()
        self.pdf_buttons = []
        self.feed(Path(path).read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "btn-download-book-pdf-button" in (attrs.get("class") or "").split():
            self.pdf_buttons.append(attrs.get("href"))


def test_every_page_links_the_pdf_from_its_header(site, book):
    for docname in book_pages():
        buttons = Links(site / f"{docname}.html").pdf_buttons
        assert len(buttons) == 1, docname
        assert (site / docname).parent.joinpath(buttons[0]).resolve() == book.resolve(), docname


def in_chromium(task):
    """task(browser)'s result, in a thread of its own: Playwright's sync API runs once per thread,
    and the browser tests' (test_site.py) may be running in this one."""
    if shutil.which("chromium") is None:
        need("chromium is not installed: apt-get install chromium")

    def run():
        with tool.browser() as chromium:
            return task(chromium)

    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(run).result()


def test_a_page_printed_from_the_website_is_in_the_light_theme(site):
    def themes(chromium):
        with tool.served(site) as server:
            context = chromium.new_context()
            context.add_init_script("window.localStorage.setItem('mode', 'dark');")
            page = context.new_page()
            page.goto(f"{server}{book_pages()[1]}.html")
            page.wait_for_load_state("networkidle")
            theme = "() => document.documentElement.dataset.theme"
            seen = [page.evaluate(theme)]
            for event in ("beforeprint", "afterprint"):
                page.evaluate(f"() => dispatchEvent(new Event('{event}'))")
                seen.append(page.evaluate(theme))
            return seen

    assert in_chromium(themes) == ["dark", "light", "dark"]


# The checks themselves, on PDFs printed here with the book's settings.

LONG_LINE = "x = [" + ", ".join(str(10**6 + i) for i in range(30)) + "]"


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """{style: PDF} of a page holding LONG_LINE in a <pre> with that style."""
    folder = tmp_path_factory.mktemp("printed")
    styles = {"wrap": "white-space: pre-wrap; overflow-wrap: anywhere", "run off": "white-space: pre",
              "scroll box": "white-space: pre; overflow: auto"}

    def print_them(chromium):
        page = chromium.new_page()
        for name, style in styles.items():
            page.set_content(f'<p>Fig. 3.7.4 and (3.7.2)</p><pre style="{style}">{LONG_LINE}</pre>')
            page.pdf(path=folder / f"{name}.pdf", **tool.PDF_OPTIONS)

    in_chromium(print_them)
    return {name: folder / f"{name}.pdf" for name in styles}


def test_a_line_off_the_page_or_in_a_scroll_box_is_found(printed):
    found = {name: missing([LONG_LINE], page_texts(path)) for name, path in printed.items()}
    assert found == {"wrap": [], "run off": [LONG_LINE], "scroll box": [LONG_LINE]}


def test_numbers_are_read_from_a_printed_page(printed):
    assert numbers("".join(page_texts(printed["wrap"]))) == {("Figure", "3.7.4"), ("equation", "3.7.2")}


def test_raw_tex_is_found_outside_code():
    code = 'ax.set_title(r"$\\sigma(z)$")\nprint(1)\n'
    lines = ['ax.set_title(r"$\\sigma(z)$")', "where \\(x_{1}\\) is", "the cost $$J$$", "J = σ(z) and x₁"]
    assert raw_tex(lines, code) == lines[1:3]


def test_images_are_counted_in_the_structure_tree():
    structure = """Document
  H1 (block)
    NonStruct
  P (block)
  Figure
  H1 (block)
  Figure
    Figure
    Caption
      P (block)
  Figure
  H1 (block)
"""
    assert figures_per_h1(structure) == [1, 2, 0]


def test_numbers_are_read_from_text():
    assert numbers("Fig. 3.7.4 and Figure\n3.7.5, (3.7.2); Solution to Exercise 3.7.1 and Definition 3.7.10, not 3.7.3") == {
        ("Figure", "3.7.4"), ("Figure", "3.7.5"), ("equation", "3.7.2"), ("Solution to Exercise", "3.7.1"),
        ("Definition", "3.7.10")}


def test_the_website_side_skips_tex_and_hidden_sources(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<nav><h1>Not this</h1></nav><article class="bd-article"><section><h1>3.7.9 A page'
                    '<a class="headerlink" href="#">#</a></h1><p>See <span class="math">\\(x^{2}\\)</span> and '
                    '<a href="#e">(3.7.2)</a>.</p><div class="math"><span class="eqno">(3.7.2)</span>\\[y\\]</div>'
                    '<details class="hide above-input"><pre>hidden()</pre></details><pre>shown()\n</pre></span>'
                    '<figure><img alt="A curve." src="a.svg"/><figcaption>Fig. 3.7.1 A curve</figcaption></figure>'
                    '</section></article><p>Not this either</p>')
    article = Article(page)
    assert article.title == "3.7.9 A page"
    assert [f for f in article.fragments if f.strip()] == ["3.7.9 A page", "See ", " and (3.7.2).", "(3.7.2)",
                                                           "Fig. 3.7.1 A curve"]
    assert article.code_lines == ["shown()"]
    assert article.images == [1]
    assert numbers(article.text) == {("equation", "3.7.2"), ("Figure", "3.7.1")}
