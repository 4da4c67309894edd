"""Figures: captions that read "Figure 3.7.n: caption", and images the browser can size at once.

Figures are numbered by Sphinx (numfig, `numfig_format: {figure: "Figure %s"}` in _config.yml)
and prefixed with 3.7 by _ext/numbering.py; references (`{numref}`) read "Figure 3.7.n". In a
caption, Sphinx's HTML writer puts only a space between the number and the text: this adds the
colon there, and only there.

myst-nb writes a notebook's images without width and height, so the page jumps when each one
arrives (Lighthouse's layout shift): each gets its size in CSS px (an SVG's from its own width
and height in pt, a bitmap's from its pixels and dpi, so that a PNG drawn at 192 dpi is shown
with two pixels per CSS px); book.css scales it down to the column. Knowing its size, the browser
can also fetch it lazily, when the reader scrolls near it (`loading="lazy"`): a first visit on a
phone then transfers the figures on the screen, not all of a long chapter's.
"""
import re
from pathlib import Path

CAPTION_NUMBER = re.compile(r'(<figcaption>\s*<p>\s*<span class="caption-number">Figure [\d.]+) </span>')
IMAGE = re.compile(r'<img ((?:[a-z-]+="[^"]*" )*)src="([^"]*_images/([^"/]+))" />')  # attributes, src, file
SVG_SIZE = re.compile(rb'<svg[^>]*?\bwidth="([\d.]+)(pt|px)?"[^>]*?\bheight="([\d.]+)(pt|px)?"')


def image_size(path):
    """(width, height) in CSS px of an SVG or bitmap file, or None."""
    if path.suffix == ".svg":
        match = SVG_SIZE.search(path.read_bytes()[:2000])
        if not match:
            return None
        scale = 4 / 3 if match.group(2) in (b"pt", None) else 1
        return round(float(match.group(1)) * scale), round(float(match.group(3)) * scale)
    from PIL import Image

    with Image.open(path) as image:  # a PNG at 200 dpi (matplotlib's dpi) is shown at 96 dpi
        dpi = image.info.get("dpi", (96, 96))[0] or 96
        return round(image.width * 96 / dpi), round(image.height * 96 / dpi)


def figure_html(app, pagename, templatename, context, doctree):
    if "body" not in context:
        return
    body = CAPTION_NUMBER.sub(r"\1: </span>", context["body"])
    sources = {name: Path(app.srcdir, src) for src, name in app.builder.images.items()}

    def sized(match):
        source = sources.get(match.group(3))
        size = image_size(source) if source and source.is_file() else None
        if size is None or "width=" in match.group(1):
            return match.group(0)
        return (f'<img {match.group(1)}src="{match.group(2)}" width="{size[0]}" height="{size[1]}" '
                'loading="lazy" decoding="async" />')

    context["body"] = IMAGE.sub(sized, body)


def setup(app):
    app.connect("html-page-context", figure_html)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
