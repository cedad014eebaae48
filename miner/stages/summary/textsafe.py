"""Making archive text inert in exports: control characters out, URLs only when harmless."""
from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

# C0/C1 controls (tab and newline kept), bidi overrides, and XML-invalid characters.
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                   r"\ufffe\uffff\ud800-\udfff]")


def plain(s: str | None) -> str:
    """Text with control, bidi-override and XML-invalid characters removed."""
    return _CTRL.sub("", s or "").replace("\r\n", "\n").replace("\r", "\n")


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) or mailto URL (spaces, quotes and brackets percent-encoded),
    else None: javascript:, data: and the like never become links."""
    if not url:
        return None
    u = plain(url).strip()
    try:
        parts = urlsplit(u)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "mailto"):
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return quote(u, safe="/:?#@!$&'*+,;=%-._~").replace("'", "%27")
