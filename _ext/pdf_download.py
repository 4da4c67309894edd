"""A "PDF" button in every page's header that downloads the whole book, printed by tools/pdf.py.

`make pdf` writes the PDF to PDF below; the website build copies it to the site's top folder
(so that the link also works in a downloaded copy of the site) and puts a link to it first among
the header buttons. Without the PDF (no chromium to print it) the site has no button.

A page printed from the browser (the download menu's ".pdf", Ctrl+P) is printed in the light
theme, as the book is (_static/print.css has the rest): dark mode's pale code on white paper and
grey figure backgrounds are for screens.
"""
import shutil
from pathlib import Path

from sphinx.util import logging

PDF = Path("_build", "pdf", "3.7-neural-networks.pdf")  # relative to the book's folder

LIGHT_ON_PAPER = """
addEventListener('beforeprint', () => {
    const html = document.documentElement;
    html.dataset.screenTheme = html.dataset.theme;
    html.dataset.theme = 'light';
});
addEventListener('afterprint', () => {
    const html = document.documentElement;
    html.dataset.theme = html.dataset.screenTheme;
});
"""

logger = logging.getLogger(__name__)


def pdf_of(app):
    return Path(app.srcdir, PDF)


def note_pdf(app, config):
    # An "html" config value: when the PDF appears or disappears, Sphinx rewrites every page.
    config.pdf_book = PDF.name if pdf_of(app).is_file() else ""
    if not config.pdf_book:
        logger.info(f"pdf_download: no {PDF} (make pdf), so no PDF button")


def add_button(app, pagename, templatename, context, doctree):
    if app.config.pdf_book and "header_buttons" in context:
        context["header_buttons"].insert(0, {
            "type": "link",
            "url": context["pathto"](app.config.pdf_book, 1),
            "icon": "fas fa-file-pdf",
            "tooltip": "Download the whole book as one PDF",
            "label": "download-book-pdf-button",
        })


def copy_pdf(app, exception):
    if exception is None and app.config.pdf_book and app.builder.format == "html":
        shutil.copyfile(pdf_of(app), Path(app.outdir, app.config.pdf_book))


def setup(app):
    app.add_config_value("pdf_book", "", "html")
    app.add_js_file(None, body=LIGHT_ON_PAPER)
    app.connect("config-inited", note_pdf)
    # After sphinx-book-theme fills context["header_buttons"] (priority 501).
    app.connect("html-page-context", add_button, priority=600)
    app.connect("build-finished", copy_pdf)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
