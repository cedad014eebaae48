"""groups.io archive exports: a zip holding ``messages.mbox`` (the ``.zip`` container is
opened by :mod:`miner.ingest.containers`; this adapter reads the member).

Messages carry the group in ``List-Id`` (or the address ``GROUP@groups.io``); the
permalink is the group's message page when ``Archived-At`` / ``List-Archive`` give it.
"""
from __future__ import annotations

import dataclasses
import re

from miner.ingest.formats import MboxVariant, header
from miner.ingest.mbox import is_separator
from miner.types import ParsedMessage, SourceItem

_GROUPSIO = re.compile(rb"groups\.io\b", re.I)
_GROUP = re.compile(r"([\w.+-]+)@(?:[\w-]+\.)?groups\.io", re.I)


class GroupsioAdapter(MboxVariant):
    name = "groupsio"
    description = "groups.io export (zip holding messages.mbox)"

    def sniff(self, head: bytes, path: str) -> float:
        lines = head.split(b"\n", 2)
        if len(lines) < 2 or not is_separator(lines[0].rstrip(b"\r"), lines[1].rstrip(b"\r")):
            return 0.0
        if path.endswith("!messages.mbox") or len(_GROUPSIO.findall(head[:16384])) >= 2:
            return 0.9
        return 0.0

    def enrich(self, p: ParsedMessage, item: SourceItem) -> ParsedMessage:
        if p.list_name:
            return p
        m = _GROUP.search(header(p, "To") or "")
        return dataclasses.replace(p, list_name=m.group(1)) if m else p
