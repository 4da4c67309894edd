"""The website in a real browser (Debian's chromium, driven by Playwright), page by page.

Each page of the site (the pages of _toc.yml and the search page) is opened four times: on a
desktop (1280 px) and on a phone (390 px), each in light and in dark mode. The tests below
inspect those four visits; each visit also runs axe-core (WCAG 2.1 A and AA) and writes a
full-page screenshot to `screenshots/` next to the site's directory (_build/screenshots), named
PAGE-MODE-WIDTH.png, for a person to look at.
"""
import io
import os
import re
import shutil
import subprocess
import sys
from urllib.parse import urlparse

import numpy as np
import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright import sync_api

from conftest import ROOT, book_pages

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# sphinx-book-theme logs "Got invalid theme mode" when no mode is stored yet (a first visit):
# store one before any page script runs, as a returning reader's browser would have.
# Lazy images (below the screen) fetched now, as if the reader had scrolled to each.
LOAD_LAZY_IMAGES = """async () => {
    const lazy = [...document.images].filter(img => img.loading === 'lazy');
    lazy.forEach(img => { img.loading = 'eager'; });
    await Promise.all(lazy.map(img => img.decode().catch(() => null)));
}"""
STORE_MODE = "window.localStorage.setItem('mode', '{mode}');"
# The page's text as a reader sees it, minus code, with typeset math removed: what is left of
# a formula is TeX that MathJax did not render.
TEXT_WITHOUT_MATH_AND_CODE = """() => {
    const article = (document.querySelector('article') ?? document.querySelector('main')).cloneNode(true);
    article.querySelectorAll('pre, mjx-container').forEach(e => e.remove());
    return article.textContent;
}"""
RAW_TEX = re.compile(r".{0,40}(?:\$\s*\$|\\begin\b|\\\(|\\\[).{0,40}", re.DOTALL)  # with some context
NUMBERED = re.compile(r"\b(Definition|Mathematical Intuition|Proposition|Theorem|Example|Exercise|Figure)\s+(\d+(?:\.\d+)*)")
SECTION_NUMBER = re.compile(r"3\.7\.[1-9]\d*")
TEX_IN_TEXT = re.compile(r"\\[a-zA-Z]+|\$|\^\{|_\{")

AXE = Axe()
# WCAG 2.1 levels A and AA; label-content-name-mismatch (2.5.3) is WCAG 2.1 A but marked
# experimental by axe-core, so it is switched on by name.
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "rules": {"label-content-name-mismatch": {"enabled": True}}}
# Dark mode changes colours, not structure: there, the rules about colour.
COLOURS = {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}}
# MathJax draws a formula with CSS glyphs in an aria-hidden tree, and gives screen readers a
# hidden MathML copy: axe has nothing to check inside, and doing so took most of its time.
AXE_CONTEXT = {"exclude": [["mjx-container"]]}
# Opens every folded thing on the page (solutions, hidden code), so that axe checks it too.
OPEN_EVERYTHING = """async () => {
    document.querySelectorAll('.admonition.dropdown.toggle-hidden > .admonition-title > button.toggle-button')
        .forEach(b => b.click());
    document.querySelectorAll('details').forEach(d => d.open = true);
    // Two frames: the page's resize observers (book.js) see what opened, and the dropdowns' fade-in
    // (sphinx-togglebutton: opacity over 0.3 s) has started; then its end, so that axe never
    // measures a half-transparent text's contrast.
    await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)));
}"""
CLOSE_EVERYTHING = """() => {
    document.querySelectorAll('.admonition.dropdown:not(.toggle-hidden) > .admonition-title > button.toggle-button')
        .forEach(b => b.click());
    document.querySelectorAll('details').forEach(d => d.open = false);
}"""

# Bytes a page may transfer on a first visit with an empty cache (sum of Content-Length):
# HTML, CSS, scripts, MathJax and its fonts, the figures on and near the screen (the others load
# lazily, as the reader scrolls to them). Before issue 17 a chapter was 3.8-4.1 MB. And the whole
# page, every figure loaded, as a reader who scrolls to the end gets it.
PAGE_WEIGHT_BUDGET = 1_600_000
WHOLE_PAGE_WEIGHT_BUDGET = 2_000_000
# Mean relative luminance (0 black ... 1 white) of a figure's pixels as shown in dark mode.
# The dark page is 0.009; a figure shown as drawn (white background) is about 0.9.
DARK_FIGURE_LUMINANCE = 0.25


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

    def __init__(self, browser, server, path, mode="light", **context_options):
        self.mode = mode
        self.context = browser.new_context(**context_options)
        self.context.add_init_script(STORE_MODE.format(mode=mode))
        self.tab = self.context.new_page()
        self.problems, self.responses = [], []
        self.tab.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console error: {m.text} at {m.location['url']}"))
        self.tab.on("pageerror", lambda e: self.problems.append(f"uncaught exception: {e}"))
        self.tab.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        self.tab.on("response", lambda r: self.responses.append(r))
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
        self.first_visit_weight = self.weight()
        self.tab.evaluate(LOAD_LAZY_IMAGES)  # the figure tests look at every figure
        self.tab.wait_for_load_state("networkidle")

    def weight(self):
        """Bytes transferred: the sum of the responses' Content-Length (the local server sends it)."""
        return sum(int(r.headers.get("content-length", 0)) for r in self.responses)

    def check_accessibility(self, server, options, opened):
        """axe-core's violations, with the page as it loads or with everything folded opened."""
        before = len(self.problems)
        if opened:
            self.tab.evaluate(OPEN_EVERYTHING)
        violations = AXE.run(self.tab, context=AXE_CONTEXT, options=options).response["violations"]
        if opened:
            self.tab.evaluate(CLOSE_EVERYTHING)
        # axe reads every stylesheet, and resolves the theme's `@import "../basic.css"` (in
        # _static/styles/theme.css) against the page instead of the stylesheet: its own 404.
        self.problems[before:] = [p for p in self.problems[before:] if not p.endswith(f"{server}basic.css")
                                  and f"404 (File not found) at {server}basic.css" not in p]
        self.axe = sorted({f"{v['id']}: {n['target']} {n['failureSummary'][:160]}"
                           for v in violations for n in v["nodes"]})

    def close(self):
        self.context.close()


def open_visit(browser, server, screenshots, pagename, mode, viewport, **options):
    """A visit, its screenshot, and axe's findings: on a desktop with every solution and hidden
    cell opened, on a phone as the page loads; in light mode all WCAG rules, in dark mode those
    about colour (the rest depend on the page's structure, the same in both modes)."""
    visit = Visit(browser, server, f"{pagename}.html", mode=mode, viewport=viewport, **options)
    visit.tab.screenshot(path=screenshots / f"{pagename.replace('/', '-')}-{mode}-{viewport['width']}.png",
                         full_page=True)
    visit.check_accessibility(server, WCAG if mode == "light" else COLOURS, opened=viewport == DESKTOP)
    return visit


@pytest.fixture(scope="module")
def desktop(browser, server, screenshots, pagename):
    visit = open_visit(browser, server, screenshots, pagename, "light", DESKTOP)
    yield visit
    visit.close()


@pytest.fixture(scope="module")
def desktop_dark(browser, server, screenshots, pagename):
    visit = open_visit(browser, server, screenshots, pagename, "dark", DESKTOP)
    yield visit
    visit.close()


@pytest.fixture(scope="module")
def phone(browser, server, screenshots, pagename):
    visit = open_visit(browser, server, screenshots, pagename, "light", PHONE, is_mobile=True, has_touch=True)
    yield visit
    visit.close()


@pytest.fixture(scope="module")
def phone_dark(browser, server, screenshots, pagename):
    visit = open_visit(browser, server, screenshots, pagename, "dark", PHONE, is_mobile=True, has_touch=True)
    yield visit
    visit.close()


@pytest.fixture(scope="module")
def visits(desktop, desktop_dark, phone, phone_dark):
    return [desktop, desktop_dark, phone, phone_dark]


def describe(visit):
    return f"{visit.mode} {visit.tab.viewport_size['width']} px"


def test_loads_without_errors(visits):
    assert {describe(v): v.problems for v in visits if v.problems} == {}


def test_no_accessibility_violations(visits):
    """axe-core, WCAG 2.1 A and AA, in light and dark mode, on a desktop and on a phone."""
    assert {describe(v): v.axe for v in visits if v.axe} == {}


def test_sidebar_leads_to_every_page(desktop, server):
    links = desktop.tab.eval_on_selector_all("nav.bd-docs-nav a", "links => links.map(a => a.href.split('#')[0])")
    assert sorted(set(links)) == sorted(f"{server}{docname}.html" for docname in book_pages())


def test_math_is_rendered(desktop):
    unrendered = desktop.tab.locator(".math:not(:has(mjx-container))")
    assert unrendered.count() == 0, unrendered.all_text_contents()
    assert RAW_TEX.findall(desktop.tab.evaluate(TEXT_WITHOUT_MATH_AND_CODE)) == []


# Display formulas wider than their box: the box scrolls (or, on a desktop, would run under the
# equation number). The rule for the book: every display formula fits, on a desktop and in a
# phone's 358 px column; a box that scrolls is a safety net (test_a_formula_too_wide_shows_it_scrolls).
WIDE_FORMULAS = """() => {
    const article = (document.querySelector('article') ?? document.querySelector('main')).getBoundingClientRect();
    return [...document.querySelectorAll('mjx-container[display="true"]')].filter(m => {
        const box = m.getBoundingClientRect();
        return m.scrollWidth > m.clientWidth + 1 || box.right > article.right + 1 || box.left < article.left - 1;
    }).map(m => (m.closest('div.math')?.id || '') + ' ' + m.querySelector('mjx-assistive-mml')?.textContent.slice(0, 60));
}"""


def test_display_formulas_fit_the_column(desktop, phone):
    assert {describe(v): v.tab.evaluate(WIDE_FORMULAS) for v in (desktop, phone)} == {"light 1280 px": [], "light 390 px": []}


def test_equation_numbers_do_not_overlap_formulas(desktop, phone):
    overlapping = """() => [...document.querySelectorAll('div.math')].filter(d => {
        const number = d.querySelector('.eqno'), formula = d.querySelector('mjx-container');
        if (!number || !formula) return false;
        const a = number.getBoundingClientRect(), b = formula.getBoundingClientRect();
        const inner = formula.firstElementChild.getBoundingClientRect();
        const apart = (r, s) => r.right <= s.left || s.right <= r.left || r.bottom <= s.top || s.bottom <= r.top;
        return !apart(a, b) || !apart(a, inner);
    }).map(d => d.id)"""
    assert {describe(v): v.tab.evaluate(overlapping) for v in (desktop, phone)} == {"light 1280 px": [], "light 390 px": []}


def test_a_formula_too_wide_shows_it_scrolls(browser, server):
    """On the smallest phones (320 px) some formulas of the pilot chapter do not fit: each scrolls,
    fades at the edge that hides more, and is a tab stop so that a keyboard can scroll it."""
    visit = Visit(browser, server, "chapters/cost.html", viewport={"width": 320, "height": 640},
                  is_mobile=True, has_touch=True)
    boxes = visit.tab.evaluate("""async () => {
        const wide = [...document.querySelectorAll('div.math > mjx-container')].filter(m => m.scrollWidth > m.clientWidth + 1);
        const state = m => ({classes: [...m.classList].filter(c => c !== 'MathJax').sort(),
                             mask: getComputedStyle(m).maskImage, overflow: getComputedStyle(m).overflowX,
                             tabindex: m.getAttribute('tabindex')});
        const before = wide.map(state);
        wide.forEach(m => m.scrollLeft = 20);
        await new Promise(resolve => setTimeout(resolve, 200));
        return {before, scrolled: wide.map(state),
                narrow: [...document.querySelectorAll('div.math > mjx-container')].filter(m => m.scrollWidth <= m.clientWidth + 1).map(state)};
    }""")
    visit.close()
    assert len(boxes["before"]) >= 2, "no formula too wide at 320 px: the test checks nothing"
    assert all(b["classes"] == ["more-right", "scrolls"] and "linear-gradient" in b["mask"]
               and b["overflow"] == "auto" and b["tabindex"] == "0" for b in boxes["before"]), boxes["before"]
    assert all(b["classes"] == ["more-left", "more-right", "scrolls"] or b["classes"] == ["more-left", "scrolls"]
               for b in boxes["scrolled"]), boxes["scrolled"]
    assert all(b["classes"] == [] and b["tabindex"] is None and b["mask"] == "none" for b in boxes["narrow"])
    assert visit.problems == []


def test_no_formula_in_the_tab_order(visits):
    focusable = "() => [...document.querySelectorAll('mjx-container')].filter(m => m.tabIndex >= 0).length"
    assert {describe(v): v.tab.evaluate(focusable) for v in visits} == {describe(v): 0 for v in visits}


def test_images_load_and_have_alt_text(desktop):
    images = desktop.tab.eval_on_selector_all(
        "img", "imgs => imgs.map(i => ({src: i.currentSrc, alt: i.alt.trim(), width: i.naturalWidth}))")
    assert [i["src"] for i in images if i["width"] == 0] == [], "images that did not load"
    assert [i["src"] for i in images if not i["alt"]] == [], "images without alt text"
    # Output images carry their size (_ext/figures.py), so that the page does not jump as they load.
    unsized = desktop.tab.eval_on_selector_all(
        ".cell_output img", "imgs => imgs.filter(i => !i.getAttribute('width') || !i.getAttribute('height')).map(i => i.src)")
    assert unsized == []


FIGURES = """() => [...document.querySelectorAll('article .cell_output img')].map(img => {
    const figure = img.closest('figure');
    const number = figure?.querySelector('figcaption .caption-number')?.textContent.trim() ?? null;
    return {src: img.currentSrc.split('/').pop(), id: figure?.id ?? null, number,
            caption: figure?.querySelector('figcaption .caption-text')?.textContent.trim() ?? '',
            referenced: !!figure?.id && !!document.querySelector(`article a[href="#${figure.id}"]`),
            svg: img.currentSrc.endsWith('.svg'), natural: img.naturalWidth, shown: img.getBoundingClientRect().width};
})"""


def test_figures_are_numbered_captioned_and_referenced(desktop):
    """Every figure reads "Figure 3.7.n: caption" and the text refers to it by its label."""
    figures = desktop.tab.evaluate(FIGURES)
    problems = [f for f in figures if not (f["number"] and re.fullmatch(rf"Figure {SECTION_NUMBER.pattern}:", f["number"])
                                           and f["caption"] and f["referenced"])]
    assert problems == []


def test_figures_are_sharp(desktop, phone):
    """Vector (SVG), or at least two image pixels per CSS pixel, on a desktop and on a phone."""
    blurred = {describe(v): [f["src"] for f in v.tab.evaluate(FIGURES) if not f["svg"] and f["natural"] < 2 * f["shown"]]
               for v in (desktop, phone)}
    assert blurred == {"light 1280 px": [], "light 390 px": []}


def mean_luminance(png):
    """Mean relative luminance (WCAG's, 0 to 1) of an image's pixels."""
    srgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float) / 255
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    return float((linear @ [0.2126, 0.7152, 0.0722]).mean())


def test_figures_are_not_glaring_in_dark_mode(desktop_dark, phone_dark):
    glaring = {}
    for visit in (desktop_dark, phone_dark):
        images = visit.tab.locator("article .cell_output img")
        for i in range(images.count()):
            luminance = mean_luminance(images.nth(i).screenshot())
            if luminance > DARK_FIGURE_LUMINANCE:
                glaring.setdefault(describe(visit), []).append(f"image {i + 1}: mean luminance {luminance:.2f}")
    assert glaring == {}


def test_page_weight_within_budget(desktop, pagename):
    weights = {"first visit": desktop.first_visit_weight, "whole page": desktop.weight()}
    assert weights["first visit"] <= PAGE_WEIGHT_BUDGET, f"{pagename}: {weights}"
    assert weights["whole page"] <= WHOLE_PAGE_WEIGHT_BUDGET, f"{pagename}: {weights}"


def test_loads_only_what_the_page_uses(desktop, pagename):
    """No icon script (the CSS draws the icons), and the search index only on the search page."""
    files = {urlparse(r.url).path.rsplit("/", 1)[-1] for r in desktop.responses}
    assert "fontawesome.js" not in files
    assert ("searchindex.js" in files) == (pagename == "search")


def test_colab_button_opens_this_notebook(desktop, pagename):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    colab, repository = config["launch_buttons"]["colab_url"].rstrip("/"), config["repository"]
    org_repo = urlparse(repository["url"]).path.strip("/")
    notebook = "/".join(p for p in (repository.get("path_to_book", "").strip("/"), pagename) if p)
    links = desktop.tab.eval_on_selector_all(f'a[href^="{colab}"]', "links => links.map(a => a.href)")
    if (ROOT / f"{pagename}.ipynb").is_file():
        assert links == [f"{colab}/github/{org_repo}/blob/{repository['branch']}/{notebook}.ipynb"]
    else:
        assert links == [], "a Colab button on a page that is not a notebook"


def test_solutions_hidden_until_clicked(desktop):
    """A solution opens from its button, or from a click anywhere on its bar, and the page stays put;
    the link to its exercise is inside the solution."""
    solutions, problems_before, url = desktop.tab.locator("div.solution"), len(desktop.problems), desktop.tab.url
    for i in range(solutions.count()):
        solution = solutions.nth(i)
        content, button = solution.locator(":scope > section"), solution.locator("button.toggle-button")
        sync_api.expect(content).to_be_hidden()
        sync_api.expect(button).to_have_attribute("aria-expanded", "false")
        sync_api.expect(button).to_have_attribute("aria-label", re.compile(rf"^Solution to Exercise {SECTION_NUMBER.pattern}$"))
        # A reader's click on the bar's text, where the exercise link used to be.
        title_text = solution.locator(".admonition-title .solution-title-text")
        title_text.scroll_into_view_if_needed()
        text = title_text.bounding_box()
        desktop.tab.mouse.click(text["x"] + text["width"] / 2, text["y"] + text["height"] / 2)
        sync_api.expect(content).to_be_visible()
        sync_api.expect(button).to_have_attribute("aria-expanded", "true")
        back = content.locator(".solution-backlink a")
        assert re.fullmatch(rf"Back to Exercise {SECTION_NUMBER.pattern}", back.text_content())
        assert desktop.tab.locator(back.get_attribute("href")).first.locator("..").count() == 1
        button.click()
        sync_api.expect(content).to_be_hidden()
    assert desktop.tab.url == url
    assert desktop.problems[problems_before:] == []


def test_focus_is_visible(desktop):
    """The first stops of the tab order (skip link, sidebar, header buttons) show a focus outline."""
    desktop.tab.locator("body").focus()
    invisible = []
    for _ in range(25):
        desktop.tab.keyboard.press("Tab")
        focus = desktop.tab.evaluate("""() => {
            const e = document.activeElement, s = getComputedStyle(e);
            return {what: e.tagName + '.' + e.className + ' ' + (e.getAttribute('aria-label') || e.textContent.trim().slice(0, 30)),
                    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2};
        }""")
        if not focus["outline"] and not focus["what"].startswith("BODY"):  # BODY: focus left the page
            invisible.append(focus["what"])
    desktop.tab.keyboard.press("Escape")
    assert invisible == []


def test_numbers_are_the_sections(desktop, pagename):
    text = desktop.tab.evaluate(TEXT_WITHOUT_MATH_AND_CODE)
    numbers = [" ".join(match) for match in NUMBERED.findall(text)]
    assert [n for n in numbers if not SECTION_NUMBER.fullmatch(n.split()[-1])] == []
    equations = desktop.tab.locator(".eqno").all_text_contents()  # "(3.7.1)" and a "#" link
    assert [e for e in equations if not re.match(rf"\({SECTION_NUMBER.pattern}\)", e.strip())] == []
    if pagename == book_pages()[0]:
        first = desktop.tab.locator(".proof.definition .caption-number").first
        assert first.text_content().strip() == "Definition 3.7.1"


def test_no_horizontal_scrolling_on_a_phone(phone):
    widths = phone.tab.evaluate("""() => [document.documentElement, (document.querySelector('article') ?? document.querySelector('main'))]
        .map(e => ({scroll: e.scrollWidth, client: e.clientWidth}))""")
    assert [w for w in widths if w["scroll"] > w["client"]] == []


def test_tables_read_row_by_row_on_a_phone(phone):
    """Each cell of a table shows its column's name, and no cell is cut off or overflows."""
    cells = phone.tab.evaluate("""() => [...document.querySelectorAll('article table tbody td')].map(td => ({
        label: td.dataset.label || null, text: td.textContent.trim().slice(0, 30),
        fits: td.scrollWidth <= td.clientWidth + 1
              && td.getBoundingClientRect().right <= (document.querySelector('article') ?? document.querySelector('main')).getBoundingClientRect().right + 1}))""")
    assert [c for c in cells if not (c["label"] and c["fits"])] == []


def test_description_for_search_engines(desktop, pagename):
    descriptions = desktop.tab.eval_on_selector_all('meta[name="description"]', "ms => ms.map(m => m.content)")
    if pagename == "search":
        assert descriptions == []
        return
    assert len(descriptions) == 1 and 50 <= len(descriptions[0]) <= 250, descriptions
    assert TEX_IN_TEXT.findall(descriptions[0]) == []


def test_footer_links_licence_and_date(desktop, pagename):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    footer = desktop.tab.locator("footer.bd-footer-content")
    links = footer.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert config["repository"]["url"] in links
    assert "MIT licence" in footer.text_content()
    if pagename == "search":
        sync_api.expect(footer.locator(".last-updated")).to_have_count(0)
        return
    source = next(ROOT.glob(f"{pagename}.*"))
    date = subprocess.run(["git", "log", "-1", "--format=%cd", "--date=format:%d %B %Y", "--", source.name],
                          cwd=source.parent, capture_output=True, text=True, check=True).stdout.strip()
    assert date, f"{source} has no commit"
    assert footer.locator(".last-updated").text_content().split() == f"Last updated on {date}.".split()


def test_search_finds_cross_entropy(browser, server):
    """Results name what they found; their summaries show formulas typeset, not as TeX."""
    visit = Visit(browser, server, "search.html?q=cross-entropy", viewport=DESKTOP)
    results = visit.tab.locator("#search-results ul.search li")
    results.first.wait_for()
    visit.tab.wait_for_load_state("networkidle")
    assert results.count() > 0
    summaries = visit.tab.evaluate("""() => [...document.querySelectorAll('#search-results ul.search li p.context')]
        .map(p => { const c = p.cloneNode(true); c.querySelectorAll('mjx-container').forEach(m => m.remove()); return c.textContent; })""")
    assert summaries and [s for s in summaries if RAW_TEX.search(s) or TEX_IN_TEXT.search(s)] == []
    # A definition, example or exercise found by its title is named with its number.
    titles = results.locator(":scope > a").all_text_contents()
    assert [t for t in titles if re.search(r">\s*\(", t)] == []
    assert any(re.search(rf"> Definition {SECTION_NUMBER.pattern} \(", t) for t in titles), titles
    assert visit.problems == []
    visit.close()


def test_book_has_math_exercises_and_definitions(site):
    """So that the page-by-page checks above cannot pass for want of anything to check."""
    html = "".join((site / f"{docname}.html").read_text() for docname in book_pages())
    assert 'class="math' in html
    assert 'class="solution dropdown' in html
    assert 'class="proof definition' in html
    assert "<figure" in html and "<table" in html


def test_icon_fonts_have_every_icon_the_pages_use(site):
    """The icon fonts are cut down to the icons used (_ext/lean_pages.py): none may be missing,
    or the browser draws another font's glyph for its private-use code point."""
    from fontTools.ttLib import TTFont

    sys.path.insert(0, str(ROOT / "_ext"))
    from lean_pages import FONTS, ICON_CSS, icon_rules, icons_used

    css = (site / ICON_CSS).read_text(encoding="utf-8")
    codes = {name: int(code, 16) for names, code in icon_rules(css) for name in names}
    fonts = set().union(*(TTFont(path).getBestCmap().keys() for path in (site / FONTS).glob("*.woff2")))
    used = icons_used(site)
    assert len(used) > 10
    assert [icon for icon in used if icon in codes and codes[icon] not in fonts] == []
    styled = [icon for icon in used if icon in codes]
    assert len(styled) >= 15, styled


def test_code_text_has_the_highlighting_styles_colour(visits):
    """Unwrapped tokens (_ext/lean_pages.py) look as their spans did: pre takes .highlight's colour."""
    differing = """() => [...document.querySelectorAll('div.highlight > pre')]
        .filter(pre => getComputedStyle(pre).color !== getComputedStyle(pre.parentElement).color).length"""
    assert {describe(v): v.tab.evaluate(differing) for v in visits} == {describe(v): 0 for v in visits}
