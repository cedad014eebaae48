"""A message whose subject, sender name and body carry <script>, <img onerror=...>, an iframe,
Markdown links/images and Streamlit directives renders as inert text on every page: any field
that Streamlit reads as Markdown (bodies of st.markdown / st.caption / headers, widget and
expander labels, help texts) holds it escaped, and no element allows HTML."""
from __future__ import annotations

import re

import pytest

from tests.app.conftest import PAGES, open_page

# Unescaped: a '<tag' or '](' not preceded by a backslash, or a Streamlit directive.
DANGER = re.compile(r"(?<!\\)<\s*(script|img|iframe|svg|b)\b|(?<![\\])\]\((?:javascript|http)"
                    r"|(?<!\\):red\[", re.IGNORECASE)
MARKDOWN_FIELDS = ("body", "label", "help")


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _markdown_strings(at):
    """(element type, field, text) of every string Streamlit renders as Markdown."""
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        kind = type(node).__name__
        if kind in ("Text", "Code", "Dataframe", "Json"):
            continue  # rendered verbatim as plain text by Streamlit
        yield from _fields(kind, proto)


def _fields(kind, proto):
    for fd, value in proto.ListFields():
        if fd.name in MARKDOWN_FIELDS and isinstance(value, str):
            yield kind, fd.name, value
        elif hasattr(value, "ListFields"):
            yield from _fields(kind, value)
        elif isinstance(value, (list, tuple)) or type(value).__name__.startswith("Repeated"):
            for v in value:
                if hasattr(v, "ListFields"):
                    yield from _fields(kind, v)
        if fd.name == "allow_html":
            assert not value, f"{kind} allows HTML"


@pytest.mark.parametrize("page", PAGES)
def test_hostile_message_is_inert(app_env, page):
    state = {"discussion_thread": "hostile-1@attacker.example.com"} if page == "discussion" else {}
    at = open_page(page, **state)
    assert not at.exception, [e.value for e in at.exception]
    for kind, field, text in _markdown_strings(at):
        m = DANGER.search(text)
        assert m is None, f"{page}: {kind}.{field} renders {text[max(0, m.start() - 40):m.end() + 40]!r}"


def test_hostile_shows_as_text(app_env):
    """The check above is not vacuous: the hostile message is on screen, as characters."""
    at = open_page("discussion", discussion_thread="hostile-1@attacker.example.com")
    texts = [t.value for t in at.text]
    assert any("<script>alert(1)</script>" in t for t in texts)
    assert any("\\<script\\>" in h.value for h in at.header)
    at = open_page("search")
    at.text_input(key="q").set_value("hostile lesson onerror").run()
    bodies = "\n".join(m.value for m in at.markdown)
    assert "\\<img" in bodies or "\\<script" in bodies
