"""HTML bodies to readable text (html2text: keeps links, lists and quote markers)."""
from __future__ import annotations

import re

_TAGS = re.compile(r"<[^>]+>")


def _converter():
    import html2text

    h = html2text.HTML2Text()
    h.body_width = 0
    h.ignore_images = True
    h.ignore_emphasis = True
    h.unicode_snob = True
    h.single_line_break = False
    return h


def html_to_text(html: str) -> str:
    """Convert an HTML body to text; falls back to stripping tags if html2text chokes."""
    try:
        text = _converter().handle(html)
    except Exception:  # noqa: BLE001 - hostile HTML must not lose the message
        import html as _html

        text = _html.unescape(_TAGS.sub(" ", html))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
