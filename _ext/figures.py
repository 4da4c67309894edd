"""Figure captions read "Figure 3.7.n: caption".

Figures are numbered by Sphinx (numfig, `numfig_format: {figure: "Figure %s"}` in _config.yml)
and prefixed with 3.7 by _ext/numbering.py; references (`{numref}`) read "Figure 3.7.n". In a
caption, Sphinx's HTML writer puts only a space between the number and the text: this adds the
colon there, and only there.
"""
import re

CAPTION_NUMBER = re.compile(r'(<figcaption>\s*<p>\s*<span class="caption-number">Figure [\d.]+) </span>')


def caption_colon(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = CAPTION_NUMBER.sub(r"\1: </span>", context["body"])


def setup(app):
    app.connect("html-page-context", caption_colon)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
