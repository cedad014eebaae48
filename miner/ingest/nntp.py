"""NNTP articles saved one per file (``Path:``, ``Newsgroups:``, ``Xref:`` headers).

The newsgroup is the list; the article number from ``Xref`` locates the item.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from miner.ingest.formats import header, read_all
from miner.ingest.mime import ParseFailure, parse_bytes
from miner.types import SourceItem

MAX_ARTICLE = 64 * 1024**2
_NNTP = re.compile(rb"^(?:Newsgroups|Xref|NNTP-Posting-(?:Host|Date)):", re.M | re.I)


class NntpAdapter:
    name = "nntp"
    description = "NNTP article file (Path/Newsgroups/Xref headers)"

    def sniff(self, head: bytes, path: str) -> float:
        block = head.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
        hits = len(set(m.group(0).lower() for m in _NNTP.finditer(block)))
        if block.startswith(b"Path:") and hits:
            return 0.95
        return 0.9 if hits >= 2 else 0.0

    def iter_items(self, f, source: str) -> Iterator[SourceItem]:
        raw = read_all(f, MAX_ARTICLE)
        if len(raw) > MAX_ARTICLE:
            yield SourceItem(source, "article", raw=raw[:MAX_ARTICLE], error="article too large")
            return
        try:
            p = parse_bytes(raw)
        except ParseFailure as e:
            yield SourceItem(source, "article", raw=raw, error=e.reason)
            return
        groups = [g.strip() for g in (header(p, "Newsgroups") or "").split(",") if g.strip()]
        xref = (header(p, "Xref") or "").split()
        where = f"article {xref[1]}" if len(xref) > 1 else "article"
        if groups and not p.list_name:
            p = dataclasses.replace(p, list_name=groups[0])
        yield SourceItem(source, where, raw=raw, parsed=p)
