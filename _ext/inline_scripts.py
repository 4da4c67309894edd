"""Work around Sphinx 7.4 writing every inline script twice into each page.

An inline script (`app.add_js_file(None, body=...)`) registered after the builder started is
added once with filename None and again, in `prepare_writing`, with filename ''; sphinx-thebe's
`const THEBE_JS_URL = ...` then fails as a redeclaration (a SyntaxError on every page).
Before writing starts, drop the first copies: `prepare_writing` adds each script back once.
"""


def drop_inline_scripts(app, builder):
    if hasattr(builder, "_js_files"):
        builder._js_files[:] = [js for js in builder._js_files if js.filename is not None]


def setup(app):
    app.connect("write-started", drop_inline_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
