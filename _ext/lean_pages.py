"""Lighter pages: every page loads only what it uses.

- MathJax: the components the book needs (TeX input with autoload, CommonHTML output, and the
  hidden MathML that screen readers read), without the 430 kB context menu. Without the menu
  no formula is focusable, so formulas are out of the tab order.
- Icons: the theme's 1.5 MB FontAwesome script is not loaded (its CSS and web fonts draw the
  same icons), and after the build the icon fonts, and the theme's CSS rules for 2,000 icons,
  are cut down to the icons the pages use.
- Extensions' files a page does not use: sphinx-design's (Jupyter Book loads it; no page here
  uses it) on pages without its classes, and sphinx-thebe's while live code (thebe) is off.
- Code: Pygments wraps every token in a <span>; a name, a punctuation mark or a space gets one
  even when the highlighting style gives it the code's own colour in both themes. Those spans
  are dropped (a code-heavy chapter's HTML is about a third lighter); the text is unchanged.
- Search: Sphinx's search scripts and index load on the search page only (templates/layout.html),
  which also loads MathJax, to typeset the formulas in the results' summaries (book.js).
"""
import json
import re
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"
MATHJAX_PATH = "mathjax/startup.js"  # sphinx-mathjax-offline copies MathJax 3 into _static/mathjax
MATHJAX_COMPONENTS = ["input/tex", "output/chtml", "a11y/assistive-mml"]
FONTS = "_static/vendor/fontawesome/webfonts"
ICON_CSS = "_static/styles/pydata-sphinx-theme.css"
# Icons drawn by the theme's scripts, so absent from the HTML (the search dialog's close button).
ICONS_FROM_SCRIPTS = {"fa-xmark"}


def configure(app, config):
    config.templates_path.append(str(TEMPLATES))
    config.mathjax_path = MATHJAX_PATH
    mathjax = config.mathjax3_config or {}
    mathjax.setdefault("loader", {})["load"] = MATHJAX_COMPONENTS
    # Formulas at 1.1 × the text's size on every device, not scaled to the ex-height of the
    # reader's font (which made them 27% larger than the text here, and of a width that
    # depended on the device): an equation that fits the column here fits it everywhere.
    mathjax.setdefault("chtml", {}).update({"matchFontHeight": False, "scale": 1.1})
    config.mathjax3_config = mathjax


def mathjax_on_search_page(app, pagename, templatename, context, doctree):
    """The search page typesets the formulas in its results' summaries (book.js)."""
    if pagename == "search" and app.builder.format == "html":
        app.builder.add_js_file("", body="window.MathJax = " + json.dumps(app.config.mathjax3_config))
        app.builder.add_js_file(app.config.mathjax_path, defer="defer")


def unused_assets(app, pagename, templatename, context, doctree):
    """Drop sphinx-design's and sphinx-thebe's files from a page that does not use them."""
    unused = []
    if not re.search(r'class="[^"]*\bsd-', context.get("body", "")):
        unused += ["sphinx-design", "design-tabs"]
    if not app.config.html_theme_options.get("launch_buttons", {}).get("thebe"):
        unused += ["thebe"]

    def used(asset):
        text = (asset.filename or "") + (asset.attributes.get("body", "") if hasattr(asset, "attributes") else "")
        return not any(name in text for name in unused)

    for key in ("css_files", "script_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if used(asset)]


THEMED_RULE = re.compile(r'html\[data-theme="(\w+)"\] \.highlight( \.(\w+))? \{([^}]*)\}')


def plain_token_classes(pygments_css):
    """The token classes whose only style, in every theme, is the code block's own colour."""
    base, styles = {}, {}
    for theme, _, token, style in THEMED_RULE.findall(pygments_css):
        declarations = dict(d.split(":", 1) for d in style.replace(" ", "").split(";") if ":" in d)
        if token:
            styles.setdefault(token, {})[theme] = declarations
        else:
            base[theme] = declarations.get("color")
    return {token for token, by_theme in styles.items()
            if by_theme.keys() == base.keys() and all(d == {"color": base[t]} for t, d in by_theme.items())}


def highlighting_css(app):
    """The pygments.css that pydata-sphinx-theme writes at the end of the build (both themes)."""
    from pydata_sphinx_theme.pygments import get_pygments_stylesheet
    from pydata_sphinx_theme.utils import get_theme_options_dict

    options = {**app.builder.theme.get_options(), **get_theme_options_dict(app)}
    return get_pygments_stylesheet(options["pygments_light_style"], options["pygments_dark_style"])


def plain_token_spans(app, pagename, templatename, context, doctree):
    """Unwrap <span class="n">x</span> to x where class n looks like the text around it."""
    if "body" not in context:
        return
    if not hasattr(app, "plain_token_span"):
        plain = sorted(plain_token_classes(highlighting_css(app)))
        app.plain_token_span = plain and re.compile(r'<span class="(?:%s)">([^<]*)</span>' % "|".join(plain))
    if app.plain_token_span:
        context["body"] = app.plain_token_span.sub(r"\1", context["body"])


def icons_used(outdir):
    """The FontAwesome icon classes (fa-github, ...) that the built pages contain."""
    icons = set(ICONS_FROM_SCRIPTS)
    for page in outdir.rglob("*.html"):
        if "_static" not in page.relative_to(outdir).parts:
            for classes in re.findall(r'class="([^"]*\bfa-[^"]*)"', page.read_text(encoding="utf-8")):
                icons.update(c for c in classes.split() if c.startswith("fa-"))
    return icons


ICON_SELECTOR = re.compile(r"\.(fa-[\w-]+):(?:before|after)")


def icon_rules(css):
    """(icon names, codepoint) of each rule `.fa-a:before,.fa-b:before{content:"\\f002"}`."""
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        names = [ICON_SELECTOR.fullmatch(s.strip()) for s in selectors.split(",")]
        code = re.fullmatch(r'content:"\\([0-9a-f]+)"', body.strip())
        if all(names) and code:
            yield {name.group(1) for name in names}, code.group(1)


def drop_unused_icon_rules(css, icons):
    """The theme's CSS without the rules `.fa-NAME:before{content:...}` of icons not in `icons`."""

    def keep(rule):
        selectors = [s.strip() for s in rule.group(1).split(",")]
        names = [ICON_SELECTOR.fullmatch(s) for s in selectors]
        if not all(names):
            return rule.group(0)
        used = [s for s, name in zip(selectors, names) if name.group(1) in icons]
        return f"{','.join(used)}{{{rule.group(2)}}}" if used else ""

    return re.sub(r"([^{}]+)\{([^{}]*)\}", keep, css)


def subset_icon_fonts(app, exception):
    """Keep in each icon font only the glyphs of the icons the pages use (about 2% of it)."""
    if exception is not None or app.builder.format != "html":
        return
    from fontTools import subset

    outdir = Path(app.outdir)
    css = (outdir / ICON_CSS).read_text(encoding="utf-8")
    icons = icons_used(outdir)
    codepoints = {int(code, 16) for names, code in icon_rules(css) if names & icons}
    if len(codepoints) < 5:
        logger.warning(f"found only {len(codepoints)} icons in the pages: icon fonts left whole")
        return
    (outdir / ICON_CSS).write_text(drop_unused_icon_rules(css, icons), encoding="utf-8")
    for font in (outdir / FONTS).glob("fa-*"):
        options = subset.Options()
        options.flavor = "woff2" if font.suffix == ".woff2" else None
        options.layout_features = ["*"]
        subsetter = subset.Subsetter(options)
        loaded = subset.load_font(str(font), options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(loaded)
        subset.save_font(loaded, str(font), options)


def setup(app):
    app.connect("config-inited", configure)
    app.connect("html-page-context", mathjax_on_search_page)
    app.connect("html-page-context", unused_assets)
    app.connect("html-page-context", plain_token_spans)
    app.connect("build-finished", subset_icon_fonts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
