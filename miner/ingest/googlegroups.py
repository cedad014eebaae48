"""Google Groups mail (``Mailing-list: list X@googlegroups.com``, ``X-Google-Group-Id``)
and Google Takeout mbox exports (``X-GM-THRID``, ``X-Gmail-Labels``).

The list name comes from the ``Mailing-list`` / ``List-ID`` header; the permalink is the
group's web address for the message when ``List-Archive`` gives the group. Takeout's
Gmail thread id links messages of one conversation that lack In-Reply-To/References:
they are chained to the earlier message of the same ``X-GM-THRID`` (the export is in
date order per thread, the first is the root).
"""
from __future__ import annotations

import dataclasses
import re

from miner.ingest.formats import MboxVariant, header
from miner.ingest.mbox import is_separator
from miner.types import ParsedMessage, SourceItem

_GG = re.compile(rb"^(?:X-Google-Group-Id:|Mailing-list: list [^\n]*@googlegroups\.com)",
                 re.M | re.I)
_TAKEOUT = re.compile(rb"^X-GM-THRID:", re.M | re.I)
_ML = re.compile(r"list\s+([^@\s]+)@googlegroups\.com", re.I)
_ARCHIVE = re.compile(r"https?://groups\.google\.com/[^\s>]*?(?:/group/|/g/)([^/\s>]+)", re.I)


class GoogleGroupsAdapter(MboxVariant):
    name = "googlegroups"
    description = "Google Groups mail or Google Takeout mbox (X-GM-THRID, labels)"

    def __init__(self) -> None:
        self._threads: dict[str, str] = {}

    def sniff(self, head: bytes, path: str) -> float:
        lines = head.split(b"\n", 2)
        if len(lines) < 2 or not is_separator(lines[0].rstrip(b"\r"), lines[1].rstrip(b"\r")):
            return 0.0
        if _GG.search(head) or _TAKEOUT.search(head):
            return 0.9
        return 0.0

    def iter_items(self, f, source: str):
        self._threads = {}
        yield from super().iter_items(f, source)

    def enrich(self, p: ParsedMessage, item: SourceItem) -> ParsedMessage:
        changes: dict = {}
        ml = header(p, "Mailing-list") or ""
        m = _ML.search(ml)
        if m and not p.list_name:
            changes["list_name"] = m.group(1)
        archive = header(p, "List-Archive") or ""
        a = _ARCHIVE.search(archive)
        if a and p.message_id and not p.permalink:
            changes["permalink"] = (f"https://groups.google.com/g/{a.group(1)}/search?q="
                                    f"messageid%3A%22{p.message_id}%22")
        thrid = header(p, "X-GM-THRID")
        if thrid:
            thrid = thrid.strip()
            prev = self._threads.get(thrid)
            if prev and not p.in_reply_to and not p.references:
                changes["in_reply_to"] = prev
                changes["references"] = (prev,)
                changes["problems"] = p.problems + ("parent from Gmail thread id",)
            if p.message_id:
                self._threads[thrid] = p.message_id
        return dataclasses.replace(p, **changes) if changes else p
