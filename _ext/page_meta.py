"""What a page says about itself: a description for search engines, and when it last changed.

- Description: the page's own (`html_meta: {description: ...}` in a notebook's metadata or a
  Markdown page's front matter, written by myst-parser), else its first paragraph that has no
  formula (TeX in a search-engine snippet would be unreadable), else the book's title.
- Last updated: the date of the last commit that changed the page's source, so that a rebuild
  gives the same pages; pages without a source (search, index) show none.
- The footer's links (templates/book-footer.html) come from the configuration: the repository,
  `book_course_url` / `book_course_title` (the course the section belongs to, if it has a
  website), and `book_licence` / `book_licence_url`.
"""
import datetime
import re
import subprocess
from pathlib import Path

from docutils import nodes
from sphinx.util.i18n import format_date

DESCRIPTION_LENGTH = 200


def shorten(text, length=DESCRIPTION_LENGTH):
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[: text.rfind(" ", 0, length - 1)].rstrip(",;:") + "…"


def first_plain_paragraph(doctree):
    for paragraph in doctree.findall(nodes.paragraph):
        if not any(isinstance(n, nodes.math) for n in paragraph.findall()) and len(paragraph.astext()) > 60:
            return paragraph.astext()
    return None


def last_commit_date(path):
    """The date (YYYY-MM-DD) of the last commit that changed `path`, or None outside git."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs", "--", path.name], cwd=path.parent,
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return out or None


def page_context(app, pagename, templatename, context, doctree):
    context["book_description"] = None
    if doctree is not None and 'name="description"' not in context.get("metatags", ""):
        context["book_description"] = shorten(first_plain_paragraph(doctree) or app.config.html_title)
    context["last_updated"] = None
    if pagename in app.env.all_docs and app.config.html_last_updated_fmt is not None:
        date = last_commit_date(Path(app.env.doc2path(pagename)))
        if date:
            context["last_updated"] = format_date(app.config.html_last_updated_fmt or "%b %d, %Y",
                                                  date=datetime.datetime.fromisoformat(date),
                                                  language=app.config.language)
    for key in ("book_course_url", "book_course_title", "book_licence", "book_licence_url"):
        context[key] = app.config[key]


def setup(app):
    app.add_config_value("book_course_url", "", "html")
    app.add_config_value("book_course_title", "", "html")
    app.add_config_value("book_licence", "", "html")
    app.add_config_value("book_licence_url", "", "html")
    app.connect("html-page-context", page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
