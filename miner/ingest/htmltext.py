"""HTML bodies to readable text, fast.

html2text gives nicer Markdown but costs about 15 ms per message here (20 % of all
parse time on a list with 2 % HTML-only mail); this regex converter costs well under
1 ms. It drops scripts, styles and comments, turns block tags into line breaks, keeps
link targets ("text (url)"), marks <blockquote> depth with "> " and unescapes entities.
"""
from __future__ import annotations

import html
import re

_DROP = re.compile(r"<(script|style|head|title)\b.*?</\1\s*>|<!--.*?-->|<!\[CDATA\[.*?\]\]>",
                   re.S | re.I)
_QUOTE = re.compile(r"(</?blockquote\b[^>]*>)", re.I)
_A = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']?([^"'\s>]+)["']?[^>]*>(.*?)</a\s*>""", re.S | re.I)
_BR = re.compile(r"<br\s*/?>", re.I)
_BLOCK = re.compile(r"</?(p|div|li|tr|h[1-6]|ul|ol|table|pre|hr|dt|dd|section|article)\b[^>]*>", re.I)
_LI = re.compile(r"<li\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANKS = re.compile(r"\n\s*\n\s*\n+")


def _link(m: re.Match) -> str:
    url, text = m.group(1), _TAG.sub("", m.group(2)).strip()
    if not text or html.unescape(text) == html.unescape(url) or url.startswith("mailto:"):
        return text or url
    return f"{text} ({url})"


def _segment(fragment: str) -> str:
    fragment = _A.sub(_link, fragment)
    fragment = _LI.sub("\n* ", fragment)
    fragment = _BR.sub("\n", fragment)
    fragment = _BLOCK.sub("\n\n", fragment)
    fragment = _TAG.sub("", fragment)
    return html.unescape(fragment)


def html_to_text(doc: str) -> str:
    """Convert an HTML body to plain text (quotes from <blockquote> become "> " lines)."""
    doc = _DROP.sub("", doc)
    out: list[str] = []
    depth = 0
    for piece in _QUOTE.split(doc):
        if piece.startswith("<") and _QUOTE.fullmatch(piece):
            depth = max(0, depth - 1) if piece.startswith("</") else depth + 1
            out.append("\n")
            continue
        text = _segment(piece)
        if depth and text.strip():
            prefix = "> " * depth
            text = "\n".join(prefix + ln.strip() if ln.strip() else ln
                             for ln in text.split("\n"))
        out.append(text)
    text = "".join(out)
    text = "\n".join(_SPACES.sub(" ", ln).strip() for ln in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip() + "\n"
