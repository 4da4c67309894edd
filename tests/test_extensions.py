"""The book's Sphinx extensions, on inputs of their own (the built site is tested in test_site.py)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
import lean_pages  # noqa: E402

CSS = """html[data-theme="light"] .highlight { background: #fff; color: #080808 }
html[data-theme="light"] .highlight .n { color: #080808 }
html[data-theme="light"] .highlight .k { color: #0000ff; font-weight: bold }
html[data-theme="light"] .highlight .nb { color: #080808; font-weight: bold }
html[data-theme="light"] .highlight .p { color: #080808 }
html[data-theme="light"] .highlight .o { color: #080808 }
html[data-theme="dark"] .highlight { background: #2b2b2b; color: #F8F8F2 }
html[data-theme="dark"] .highlight .n { color: #F8F8F2 }
html[data-theme="dark"] .highlight .k { color: #F8F8F2 }
html[data-theme="dark"] .highlight .nb { color: #F8F8F2 }
html[data-theme="dark"] .highlight .p { color: #F8F8F2 }
html[data-theme="dark"] .highlight .o { color: #ff0000 }"""


def test_only_tokens_styled_like_the_code_in_every_theme_are_plain():
    # k: another colour in light; nb: bold; o: another colour in dark; s: not styled in both themes
    assert lean_pages.plain_token_classes(CSS + '\nhtml[data-theme="light"] .highlight .s { color: #080808 }') \
        == {"n", "p"}


def test_with_one_theme_a_token_is_plain_if_styled_like_the_code_there():
    light_only = "\n".join(line for line in CSS.splitlines() if 'theme="light"' in line)
    assert lean_pages.plain_token_classes(light_only) == {"n", "p", "o"}
    assert lean_pages.plain_token_classes("") == set()
