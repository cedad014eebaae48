"""L-Soft LISTSERV notebook logs (``LIST.LOG1705B``: year 17, month 05, week B).

Messages are separated by a line of exactly 73 ``=`` signs followed by a header line.
Headers are padded (``Date:         Mon, 8 May 2017 …``), which ``parse_bytes`` reads as
is. A message without a Date gets the week of the log file name as its date. The
``LIST.DBNAMES`` index file that sits next to the logs is recognised and holds no message.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import PurePath

from miner.ingest.containers import inner_name
from miner.types import SourceItem

SEPARATOR = b"=" * 73
_HEADER = re.compile(rb"^[!-9;-~]+[ \t]*:")
_LOGNAME = re.compile(r"^(?P<list>.+)\.LOG(?P<y>\d\d)(?P<m>\d\d)(?P<w>[A-E])?$", re.I)


def log_period(name: str) -> tuple[datetime | None, str | None]:
    """(first day of the log's week, list name) from ``LIST.LOGyymm[w]``."""
    m = _LOGNAME.match(inner_name(name))
    if not m:
        return None, None
    month = int(m.group("m"))
    if not 1 <= month <= 12:
        return None, m.group("list")
    week = "ABCDE".index(m.group("w").upper()) if m.group("w") else 0
    return datetime(2000 + int(m.group("y")), month, 1 + 7 * week, tzinfo=timezone.utc), \
        m.group("list")


def split_log(f) -> Iterator[tuple[int, bytes]]:
    """Yield (line number of the separator, raw message) from a notebook log stream.

    Text before the first separator is yielded with line 0 when it is not blank.
    """
    lines: list[bytes] = []
    start = 0
    pending: int | None = None  # line number of a separator waiting for its next line
    lineno = 0
    buf = b""
    while True:
        chunk = f.read(1 << 20)
        if not chunk:
            break
        buf += chunk
        *complete, buf = buf.split(b"\n")
        for raw_line in complete:
            lineno += 1
            line = raw_line + b"\n"
            if pending is not None:
                if _HEADER.match(raw_line):
                    if start or b"".join(lines).strip():
                        yield start, b"".join(lines)
                    lines, start = [], pending
                else:
                    lines.append(SEPARATOR + b"\r\n")
                pending = None
            if raw_line.rstrip(b"\r") == SEPARATOR:
                pending = lineno
                continue
            lines.append(line)
    if buf:
        lines.append(buf)
    if pending is not None:
        lines.append(SEPARATOR + b"\n")
    if start or b"".join(lines).strip():
        yield start, b"".join(lines)


class ListservAdapter:
    name = "listserv"
    description = "L-Soft LISTSERV notebook log (LIST.LOGyymm[w])"

    def sniff(self, head: bytes, path: str) -> float:
        if head.startswith(b"*LSV-F*") or inner_name(path).upper().endswith(".DBNAMES"):
            return 0.5  # LISTSERV's index of log files: claimed, holds no message
        first, _, rest = head.partition(b"\n")
        if first.rstrip(b"\r") != SEPARATOR:
            return 0.0
        second = rest.split(b"\n", 1)[0]
        if not _HEADER.match(second):
            return 0.0
        return 0.95 if log_period(path)[0] is not None else 0.8

    def iter_items(self, f, source: str) -> Iterator[SourceItem]:
        if f.peek_head(16).startswith(b"*LSV-F*") if hasattr(f, "peek_head") else False:
            return
        if inner_name(source).upper().endswith(".DBNAMES"):
            return
        week, lst = log_period(source)
        lst = lst or PurePath(source.split("!")[0]).parent.name or None
        for line, raw in split_log(f):
            where = f"line {line}"
            if getattr(f, "failed", False):
                yield SourceItem(source, where, raw=raw, list_name=lst,
                                 error="message cut short: the source ends early")
            elif line == 0:
                yield SourceItem(source, where or "line 1", raw=raw, list_name=lst,
                                 error="text before the first separator line")
            else:
                yield SourceItem(source, where, raw=raw, fallback_date=week, list_name=lst)
