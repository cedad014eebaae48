"""Mailman 2 pipermail monthly text archives (``2007-March.txt``, ``2007q1.txt[.gz]``).

They are mbox-shaped, but the bodies are already decoded text and addresses are
obfuscated (``user at domain``, Spanish ``usuario en dominio``, the ETH scramble
``jepu@to @end|ng |rom gm@||@com``, kept raw for the identity stage).
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import PurePath

from miner.ingest.containers import inner_name
from miner.ingest.headers import decode_words
from miner.ingest.mbox import from_line_date, is_separator, split_mbox
from miner.ingest.mime import ParseFailure, parse_bytes
from miner.types import SourceItem

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
_MONTH_FILE = re.compile(
    r"^(?:(?P<list>.+?)[-_])?(?P<y>(?:19|20)\d\d)-(?P<m>" + "|".join(MONTHS) + r")\b", re.I
)
_QUARTER_FILE = re.compile(r"^(?:(?P<list>.+?)[-_])?(?P<y>(?:19|20)\d\d)q(?P<q>[1-4])\b", re.I)
_AT = re.compile(r"^\s*([^\s@]+) (?:at|en) ([^\s@]+\.[^\s@]+)\s*$")
_SCRAMBLE = re.compile(r" @end\|ng \|rom ")
_PAREN = re.compile(r"^\s*(.*?)\s*\((.*)\)\s*$", re.S)
_PIPERMAIL_HEADERS = {"from", "date", "subject", "in-reply-to", "references", "message-id"}
GENERIC_DIRS = {"raw", "txt", "archive", "archives", "pipermail", "mbox", "data", "downloads",
                "tmp", "private", "public", "mail", "lists", "."}


def archive_month(name: str) -> tuple[datetime | None, str | None]:
    """(first day of the archive's period, list name prefix) from a pipermail file name."""
    base = inner_name(name)
    m = _MONTH_FILE.match(base)
    if m:
        d = datetime(int(m.group("y")), MONTHS.index(m.group("m").lower()) + 1, 1,
                     tzinfo=timezone.utc)
        return d, m.group("list")
    m = _QUARTER_FILE.match(base)
    if m:
        d = datetime(int(m.group("y")), 3 * int(m.group("q")) - 2, 1, tzinfo=timezone.utc)
        return d, m.group("list")
    return None, None


def list_name_for(name: str) -> str | None:
    """The list's name from ``LIST-2007-March.txt`` or the folder ``.../LIST/2007-March.txt``."""
    month, prefix = archive_month(name)
    if prefix:
        return prefix
    if month is None:
        return None
    path = PurePath(name.split("!", 1)[0])
    for parent in path.parents:
        if parent.name and parent.name.lower() not in GENERIC_DIRS:
            return parent.name
    return None


def unobfuscate(addr: str) -> str:
    """``user at domain`` / ``usuario en dominio`` -> ``user@domain``; scrambles stay raw."""
    m = _AT.match(addr)
    if m:
        return f"{m.group(1)}@{m.group(2)}"
    return addr.strip()


def parse_from(value: str) -> tuple[str, str]:
    """(name, address) of a pipermail From header: ``addr (Name)``."""
    m = _PAREN.match(value)
    if m:
        addr, name = m.group(1), m.group(2)
    else:
        addr, name = value, ""
    name = decode_words(name)[0].strip().strip('"').strip()
    return name, unobfuscate(addr)


def parse_pipermail(raw: bytes, *, fallback_date=None, list_name=None):
    """Parse one pipermail message (raises ParseFailure like ``parse_bytes``)."""
    p = parse_bytes(raw, fallback_date=fallback_date, list_name=list_name)
    from_hdr = next((v for n, v in p.headers if n.lower() == "from"), None)
    if from_hdr is None:
        return p
    name, addr = parse_from(from_hdr)
    if not name and not addr:
        return p
    return dataclasses.replace(p, from_name=name or p.from_name, from_email=addr)


class PipermailAdapter:
    name = "pipermail"
    description = "Mailman 2 pipermail monthly text archive (.txt, .txt.gz)"

    def sniff(self, head: bytes, path: str) -> float:
        lines = head.split(b"\n", 40)
        if len(lines) < 2 or not is_separator(lines[0].rstrip(b"\r"), lines[1].rstrip(b"\r")):
            return 0.0
        score = 0.5
        sep = lines[0]
        if b" at " in sep.split(b"  ")[0] or _SCRAMBLE.search(sep.decode("latin-1")):
            score += 0.4
        names = set()
        for ln in lines[1:]:
            if not ln.strip():
                break
            if ln[:1] not in (b" ", b"\t"):
                names.add(ln.split(b":", 1)[0].decode("latin-1").lower())
        if names and names <= _PIPERMAIL_HEADERS:
            score += 0.35
        if archive_month(path)[0] is not None:
            score += 0.1
        return min(score, 1.0) if score > 0.8 else 0.0

    def iter_items(self, f, source: str) -> Iterator[SourceItem]:
        month, _ = archive_month(source)
        lname = list_name_for(source)
        for line, sep, raw in split_mbox(f):
            where = f"line {line}"
            if getattr(f, "failed", False):
                yield SourceItem(source, where, raw=raw, list_name=lname,
                                 error="message cut short: the source ends early")
                continue
            if not sep:
                yield SourceItem(source, where, raw=raw, list_name=lname,
                                 error="text before the first 'From ' separator line")
                continue
            fallback = from_line_date(sep) or month
            try:
                parsed = parse_pipermail(raw, fallback_date=fallback, list_name=lname)
            except ParseFailure as e:
                yield SourceItem(source, where, raw=raw, error=e.reason,
                                 fallback_date=fallback, list_name=lname)
                continue
            yield SourceItem(source, where, raw=raw, parsed=parsed, fallback_date=fallback,
                             list_name=lname)
