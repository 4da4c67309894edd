"""The website in a real browser (Debian's chromium, driven by Playwright), page by page.

Each page of _toc.yml is opened once on a desktop and once on a phone-sized screen; the tests
below inspect those two visits. Full-page screenshots of both go to `screenshots/` next to the
site's directory (_build/screenshots), for a person to look at.
"""
import os
import re
import shutil
from urllib.parse import urlparse

import pytest
import yaml
from playwright import sync_api

from conftest import ROOT, book_pages

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
# sphinx-book-theme logs "Got invalid theme mode" when no mode is stored yet (a first visit):
# store one before any page script runs, as a returning reader's browser would have.
LIGHT_MODE = "window.localStorage.setItem('mode', 'light');"
# The page's text as a reader sees it, minus code, with typeset math removed: what is left of
# a formula is TeX that MathJax did not render.
TEXT_WITHOUT_MATH_AND_CODE = """() => {
    const article = document.querySelector('article').cloneNode(true);
    article.querySelectorAll('pre, mjx-container').forEach(e => e.remove());
    return article.textContent;
}"""
RAW_TEX = re.compile(r".{0,40}(?:\$\s*\$|\\begin\b|\\\(|\\\[).{0,40}", re.DOTALL)  # with some context
NUMBERED = re.compile(r"\b(Definition|Mathematical Intuition|Example|Exercise)\s+(\d+(?:\.\d+)*)")
SECTION_NUMBER = re.compile(r"3\.7\.[1-9]\d*")


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        message = "chromium is not installed: install it with `apt-get install chromium`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots(site):
    folder = site.parent / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


class Visit:
    """One page opened in a fresh browser context, with every problem it reported."""

    def __init__(self, browser, server, path, **context_options):
        self.context = browser.new_context(**context_options)
        self.context.add_init_script(LIGHT_MODE)
        self.tab = self.context.new_page()
        self.problems = []
        self.tab.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console error: {m.text} at {m.location['url']}"))
        self.tab.on("pageerror", lambda e: self.problems.append(f"uncaught exception: {e}"))
        self.tab.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        self.tab.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        # Everything is served by the site itself: no CDN, no tracker, and it works offline.
        self.tab.on("request", lambda r: urlparse(r.url).scheme in ("http", "https", "ws", "wss")
                    and not r.url.startswith(server) and self.problems.append(f"outside request: {r.url}"))
        response = self.tab.goto(server + path)
        assert response.ok, f"{path}: HTTP {response.status}"
        self.tab.wait_for_load_state("networkidle")
        # MathJax's startup promise resolves once the page is typeset.
        self.tab.wait_for_function("() => !document.querySelector('.math') || window.MathJax?.startup?.promise")
        self.tab.evaluate("() => window.MathJax?.startup?.promise")

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def desktop(browser, server, screenshots, docname):
    visit = Visit(browser, server, f"{docname}.html", viewport=DESKTOP)
    visit.tab.screenshot(path=screenshots / f"{docname.replace('/', '-')}.png", full_page=True)
    yield visit
    visit.close()


@pytest.fixture(scope="module")
def phone(browser, server, screenshots, docname):
    visit = Visit(browser, server, f"{docname}.html", viewport=PHONE,
                  is_mobile=True, has_touch=True)
    visit.tab.screenshot(path=screenshots / f"{docname.replace('/', '-')}-phone.png", full_page=True)
    yield visit
    visit.close()


def test_loads_without_errors(desktop, phone):
    assert desktop.problems + phone.problems == []


def test_sidebar_leads_to_every_page(desktop, server):
    links = desktop.tab.eval_on_selector_all("nav.bd-docs-nav a", "links => links.map(a => a.href.split('#')[0])")
    assert sorted(set(links)) == sorted(f"{server}{docname}.html" for docname in book_pages())


def test_math_is_rendered(desktop):
    unrendered = desktop.tab.locator(".math:not(:has(mjx-container))")
    assert unrendered.count() == 0, unrendered.all_text_contents()
    assert RAW_TEX.findall(desktop.tab.evaluate(TEXT_WITHOUT_MATH_AND_CODE)) == []


def test_images_load_and_have_alt_text(desktop):
    images = desktop.tab.eval_on_selector_all(
        "img", "imgs => imgs.map(i => ({src: i.currentSrc, alt: i.alt.trim(), width: i.naturalWidth}))")
    assert [i["src"] for i in images if i["width"] == 0] == [], "images that did not load"
    assert [i["src"] for i in images if not i["alt"]] == [], "images without alt text"


def test_colab_button_opens_this_notebook(desktop, docname):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    colab, repository = config["launch_buttons"]["colab_url"].rstrip("/"), config["repository"]
    org_repo = urlparse(repository["url"]).path.strip("/")
    notebook = "/".join(p for p in (repository.get("path_to_book", "").strip("/"), docname) if p)
    links = desktop.tab.eval_on_selector_all(f'a[href^="{colab}"]', "links => links.map(a => a.href)")
    if (ROOT / f"{docname}.ipynb").is_file():
        assert links == [f"{colab}/github/{org_repo}/blob/{repository['branch']}/{notebook}.ipynb"]
    else:
        assert links == [], "a Colab button on a page that is not a notebook"


def test_solutions_hidden_until_clicked(desktop):
    solutions, problems_before = desktop.tab.locator("div.solution"), len(desktop.problems)
    for i in range(solutions.count()):
        content = solutions.nth(i).locator(":scope > section")
        sync_api.expect(content).to_be_hidden()
        solutions.nth(i).locator("button.toggle-button").click()
        sync_api.expect(content).to_be_visible()
    assert desktop.problems[problems_before:] == []


def test_numbers_are_the_sections(desktop, docname):
    text = desktop.tab.evaluate(TEXT_WITHOUT_MATH_AND_CODE)
    numbers = [" ".join(match) for match in NUMBERED.findall(text)]
    assert [n for n in numbers if not SECTION_NUMBER.fullmatch(n.split()[-1])] == []
    equations = desktop.tab.locator(".eqno").all_text_contents()  # "(3.7.1)" and a "#" link
    assert [e for e in equations if not re.match(rf"\({SECTION_NUMBER.pattern}\)", e.strip())] == []
    if docname == book_pages()[0]:
        first = desktop.tab.locator(".proof.definition .caption-number").first
        assert first.text_content().strip() == "Definition 3.7.1"


def test_no_horizontal_scrolling_on_a_phone(phone):
    widths = phone.tab.evaluate("""() => [document.documentElement, document.querySelector('article')]
        .map(e => ({scroll: e.scrollWidth, client: e.clientWidth}))""")
    assert [w for w in widths if w["scroll"] > w["client"]] == []


def test_search_finds_backpropagation(browser, server):
    visit = Visit(browser, server, "search.html?q=backpropagation", viewport=DESKTOP)
    results = visit.tab.locator("#search-results ul.search li")
    results.first.wait_for()
    assert results.count() > 0
    assert visit.problems == []
    visit.close()


def test_book_has_math_exercises_and_definitions(site):
    """So that the page-by-page checks above cannot pass for want of anything to check."""
    html = "".join((site / f"{docname}.html").read_text() for docname in book_pages())
    assert 'class="math' in html
    assert 'class="solution dropdown' in html
    assert 'class="proof definition' in html
