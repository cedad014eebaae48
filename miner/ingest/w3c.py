"""W3C mailing-list archive pages (lists.w3.org/Archives/Public/LIST/PERIOD/NNNN.html).

They are Hypermail 2.3 pages with W3C's own templates: the body is a ``<pre id="body">``
and the list name is in the title ("… (public-privacy@w3.org from April to June 2018)").
Index pages (the list's main index and each period's ``index.html``) hold no message and
yield nothing. The permalink is rebuilt from the list, the period folder and the file name.
"""
from __future__ import annotations

import re
from pathlib import PurePosixPath

from miner.ingest.hypermail import HypermailAdapter

_LIST = re.compile(r"<title>[^<]*\(([\w.+-]+)@w3\.org\b", re.I)
_INDEX_LIST = re.compile(r"<title>\s*([\w.+-]+)@w3\.org Mail Archives", re.I)
_PERIOD = re.compile(r"^\d{4}[A-Z][a-z]{2}(?:[A-Z][a-z]{2})?$")
BASE = "https://lists.w3.org/Archives/Public"


class W3CAdapter(HypermailAdapter):
    name = "w3c"
    description = "W3C lists.w3.org archive page (Hypermail with W3C templates)"

    def sniff(self, head: bytes, path: str) -> float:
        low = head[:16384].lower()
        if b"<html" not in low or not (b"@w3.org" in low or b"/stylesheets/mail/" in low
                                       or b"lists.w3.org" in low):
            return 0.0  # (every XHTML page names www.w3.org in its DOCTYPE)
        if b"<!-- id=\"" in head and b"<!-- body=\"start\"" in head:
            return 0.95
        if b"mail archives" in low or b"messages-list" in low or b"by thread" in low:
            return 0.5  # an index page
        return 0.0

    def list_and_link(self, page: str, source: str) -> tuple[str | None, str | None]:
        m = _LIST.search(page[:4000])
        lst = m.group(1) if m else None
        link = None
        p = PurePosixPath(source.split("!")[-1].replace("\\", "/"))
        if lst and _PERIOD.match(p.parent.name) and re.match(r"^\d{4}\.html$", p.name):
            link = f"{BASE}/{lst}/{p.parent.name}/{p.name}"
        return lst, link
