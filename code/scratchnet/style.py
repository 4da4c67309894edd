"""The book's figure style: drawn for a phone's 358 px column, readable in light and dark mode.

    import scratchnet.style
    scratchnet.style.use()

sets matplotlib's defaults: a 4.5 × 3 inch figure (432 × 288 CSS px, shown at full size on a
desktop and at 83% on a phone) with 10–12 pt text; the Okabe–Ito colours, which stay distinct
with every common colour-vision deficiency (without its yellow, unreadable on white);
transparent backgrounds, so that the website's dark mode can invert a figure's dark ink to light
(see _static/book.css); and, in a notebook, figures as SVG, sharp at any zoom, byte for byte the
same on every run (no date, fixed ids) so that nbval can compare them, with their text as text
(half the bytes of glyph outlines, and it can be selected and searched).
"""
import matplotlib as mpl
from cycler import cycler

# Okabe & Ito (2008), "Color universal design", in the order the book uses them.
PALETTE = {"blue": "#0072B2", "vermillion": "#D55E00", "green": "#009E73", "purple": "#CC79A7",
           "orange": "#E69F00", "sky": "#56B4E9", "black": "#000000"}

RC = {
    "figure.figsize": (4.5, 3.0),
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.facecolor": "none",
    "savefig.transparent": True,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.framealpha": 0,
    "lines.linewidth": 2,
    "axes.prop_cycle": cycler(color=list(PALETTE.values())),
    "image.cmap": "viridis",
    "svg.hashsalt": "scratchnet",
    "svg.fonttype": "none",
    # The resolution of what an SVG holds as an image (imshow, rasterised areas): print quality.
    # (IPython saves a figure at its own dpi; an SVG's size is in points whatever the dpi.)
    "figure.dpi": 200,  # text as SVG text, not glyph outlines: half the bytes, selectable
}


def use():
    """Apply the style; in IPython also show figures as deterministic SVG."""
    mpl.rcParams.update(RC)
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("svg", metadata={"Date": None})
