"""Lighter pages: every page loads only what it uses.

- MathJax: the components the book needs (TeX input with autoload, CommonHTML output, and the
  hidden MathML that screen readers read), without the 430 kB context menu. Without the menu
  no formula is focusable, so formulas are out of the tab order.
- Icons: the theme's 1.5 MB FontAwesome script is not loaded (its CSS and web fonts draw the
  same icons), and after the build the icon fonts are cut down to the icons the pages use.
- Search: Sphinx's search scripts and index load on the search page only (templates/layout.html).
"""
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
    config.mathjax3_config = mathjax


def icons_used(outdir):
    """The FontAwesome icon classes (fa-github, ...) that the built pages contain."""
    icons = set(ICONS_FROM_SCRIPTS)
    for page in outdir.rglob("*.html"):
        if "_static" not in page.relative_to(outdir).parts:
            for classes in re.findall(r'class="([^"]*\bfa-[^"]*)"', page.read_text(encoding="utf-8")):
                icons.update(c for c in classes.split() if c.startswith("fa-"))
    return icons


def subset_icon_fonts(app, exception):
    """Keep in each icon font only the glyphs of the icons the pages use (about 2% of it)."""
    if exception is not None or app.builder.format != "html":
        return
    from fontTools import subset

    outdir = Path(app.outdir)
    css = (outdir / ICON_CSS).read_text(encoding="utf-8")
    codepoints = set()
    for icon in icons_used(outdir):
        match = re.search(rf'\.{re.escape(icon)}:before{{content:"\\([0-9a-f]+)"}}', css)
        if match:
            codepoints.add(int(match.group(1), 16))
    if len(codepoints) < 5:
        logger.warning(f"found only {len(codepoints)} icons in the pages: icon fonts left whole")
        return
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
    app.connect("build-finished", subset_icon_fonts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
