"""Mailman 3 / HyperKitty per-month mbox exports (``LIST-2016-04.mbox.gz`` from
``/hyperkitty/list/LIST/export/…``).

The messages are mbox; archives imported from Mailman 2 keep pipermail's ``user at
domain`` addresses, which are un-obfuscated. Each message's permalink comes from its
``Archived-At`` header, else is rebuilt from ``List-Archive`` and HyperKitty's message
hash (base32 of the SHA-1 of the Message-ID).
"""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import re

from miner.ingest.formats import MboxVariant, header
from miner.ingest.headers import parse_msgid
from miner.ingest.mbox import is_separator
from miner.types import ParsedMessage, SourceItem

_ARCHIVED_AT = re.compile(rb"^Archived-At:", re.M | re.I)
_HK_ARCHIVE = re.compile(rb"^List-Archive:[^\n]*/hyperkitty/", re.M | re.I)


def message_hash(message_id: str) -> str:
    """HyperKitty's id of a message in URLs: base32(sha1(Message-ID without <>))."""
    return base64.b32encode(hashlib.sha1(message_id.encode("utf-8")).digest()).decode("ascii")


def permalink_for(p: ParsedMessage) -> str | None:
    if p.permalink:
        return p.permalink
    archive = parse_msgid(header(p, "List-Archive") or "")
    if archive and "/hyperkitty/" in archive and p.message_id:
        return f"{archive.rstrip('/')}/message/{message_hash(p.message_id)}/"
    return None


class HyperkittyAdapter(MboxVariant):
    name = "hyperkitty"
    description = "Mailman 3 HyperKitty mbox export (.mbox, .mbox.gz)"

    def sniff(self, head: bytes, path: str) -> float:
        lines = head.split(b"\n", 2)
        if len(lines) < 2 or not is_separator(lines[0].rstrip(b"\r"), lines[1].rstrip(b"\r")):
            return 0.0
        if _HK_ARCHIVE.search(head) or b"/hyperkitty/" in head[:65536] and _ARCHIVED_AT.search(head):
            return 1.0
        if "hyperkitty" in path.lower():
            return 1.0
        return 0.0

    def iter_items(self, f, source: str):
        head = f.peek_head()
        self.obfuscated = b" at " in head.split(b"\n", 1)[0]
        yield from super().iter_items(f, source)

    def enrich(self, p: ParsedMessage, item: SourceItem) -> ParsedMessage:
        link = permalink_for(p)
        return dataclasses.replace(p, permalink=link) if link != p.permalink else p
