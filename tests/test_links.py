"""Every link inside the built website resolves: the page (or file) exists, and so does the anchor."""
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class Page(HTMLParser):
    """The ids a page defines and the local links (href, src) it holds."""

    def __init__(self, path):
        super().__init__()
        self.ids, self.links = set(), []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.ids.update(attrs[key] for key in ("id", "name") if attrs.get(key))
        for key in ("href", "src"):
            url = urlsplit(attrs.get(key) or "")
            if (url.path or url.fragment) and not (url.scheme or url.netloc):
                self.links.append(url)


def broken_links(site):
    """(page, link) for every local link of the site's pages that does not resolve, and how many were checked."""
    pages = {path.resolve(): Page(path) for path in site.rglob("*.html") if "_static" not in path.relative_to(site).parts}
    broken = []
    for path, page in pages.items():
        for url in page.links:
            target = (path.parent / unquote(url.path)).resolve() if url.path else path
            if target.is_dir():
                target = target / "index.html"
            fragment = unquote(url.fragment)
            if not target.is_file() or fragment and target in pages and fragment not in pages[target].ids:
                broken.append((str(path.relative_to(site.resolve())), url.geturl()))
    return broken, sum(len(page.links) for page in pages.values())


def test_every_local_link_resolves(site):
    broken, checked = broken_links(site)
    assert broken == []
    assert checked > 100, "the walker found hardly any links: is this the built book?"


def test_broken_links_are_found(tmp_path):
    (tmp_path / "a.html").write_text('<h1 id="top">A</h1><a href="#top">ok</a><a href="b.html#there">ok</a>'
                                     '<a href="b.html#nowhere">bad anchor</a><a href="c.html">no page</a>'
                                     '<a href="https://example.org/c.html">outside</a><a href="#">no anchor</a>')
    (tmp_path / "b.html").write_text('<p id="there"><img src="missing.png" alt="x"></p>')
    assert sorted(broken_links(tmp_path)[0]) == [
        ("a.html", "b.html#nowhere"), ("a.html", "c.html"), ("b.html", "missing.png")]
