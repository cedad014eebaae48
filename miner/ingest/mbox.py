"""mbox (mboxo and mboxrd) read as bytes with our own splitter.

A line starts a new message only if it looks like a real separator ("From " + sender +
a date-like tail) *and* the next line looks like a header. That keeps messages glued
by an unescaped body line "From ..." together, and survives non-ASCII and malformed
"From " lines. Reads in 1 MiB chunks: memory is bounded by the largest message.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import BinaryIO

from miner.types import SourceItem

CHUNK = 1 << 20
# "From " + something + a time and a 4-digit year somewhere after it.
_SEP = re.compile(rb"^From [^\n]*?\d{1,2}:\d\d(?::\d\d)?[^\n]*?\b(?:19|20)\d\d\b", re.S)
_HEADER = re.compile(rb"^[!-9;-~]+[ \t]*:")
_ESCAPED = re.compile(rb"^>(>*From )", re.M)
_ASCTIME = re.compile(
    rb"(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\w*,?\s+(\w{3})\w*\s+(\d{1,2})\s+(\d{1,2}):(\d\d)(?::(\d\d))?"
    rb"\s+(?:[A-Z]{3,4}\s+)?(\d{4})"
)
_MONTHS = {m: i + 1 for i, m in enumerate(
    [b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec"]
)}


def is_separator(line: bytes, next_line: bytes | None) -> bool:
    """Whether ``line`` (no line end) starts a message, given the line after it."""
    if not line.startswith(b"From ") or _SEP.match(line) is None:
        return False
    if next_line is None:
        return True  # at end of input: a lone separator still counts
    return _HEADER.match(next_line) is not None


def from_line_date(line: bytes) -> datetime | None:
    """The asctime date of an mbox "From " line, as aware UTC (the delivery time)."""
    m = _ASCTIME.search(line)
    if not m:
        return None
    mon = _MONTHS.get(m.group(2)[:3].lower())
    if mon is None:
        return None
    try:
        return datetime(
            int(m.group(7)), mon, int(m.group(3)), int(m.group(4)), int(m.group(5)),
            int(m.group(6) or 0), tzinfo=timezone.utc,
        )
    except ValueError:
        return None


def unescape(msg: bytes) -> bytes:
    """Undo ">From " quoting (mboxrd: one level; mboxo: same thing for single quotes)."""
    if b">From " not in msg:
        return msg
    return _ESCAPED.sub(rb"\1", msg)


def split_mbox(f: BinaryIO) -> Iterator[tuple[int, bytes, bytes]]:
    """Yield (line number of the separator, separator line, raw message) from an mbox.

    Raw messages have ">From " unescaped and the blank line that precedes the next
    separator removed. Text before the first separator is yielded with an empty
    separator (line 1) when it is not blank, so nothing is lost.
    """
    reader = _Buffer(f)
    while len(reader.buf) < 6 and reader.fill() >= 0:
        pass
    sep: bytes | None = None
    sep_line = 1
    if reader.buf.startswith(b"From "):
        cand_at = 0
    else:
        cand_at = reader.find_from(0)
    while cand_at >= 0:
        cand_at, e1, e2 = reader.two_lines(cand_at)
        buf = reader.buf
        if e1 < 0:
            cand, nxt = buf[cand_at:], None
        else:
            cand = buf[cand_at:e1]
            nxt = buf[e1 + 1 : e2] if e2 >= 0 else buf[e1 + 1 :]
            if e2 < 0 and not nxt:
                nxt = None
        if is_separator(cand.rstrip(b"\r"), None if nxt is None else nxt.rstrip(b"\r")):
            line = reader.line_of(cand_at)
            msg = buf[reader.start : cand_at]
            if sep is not None or msg.strip():
                yield sep_line, sep or b"", _finish(msg)
            sep, sep_line = cand.rstrip(b"\r"), line
            reader.start = e1 + 1 if e1 >= 0 else len(buf)
            if e1 < 0:
                break
            cand_at = reader.find_from(reader.start - 1)
        else:
            cand_at = reader.find_from(cand_at)
    tail = reader.rest()
    if sep is not None or tail.strip():
        yield sep_line, sep or b"", _finish(tail)
    if reader.error is not None:
        raise reader.error


MAX_MESSAGE = 64 << 20  # bytes: no real message is larger


class _Buffer:
    """A growing window over a binary stream. Data before ``min(start, lpos)`` is
    dropped when more is read, so offsets held by callers shift: methods return them
    adjusted."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.buf = b""
        self.start = 0
        self.eof = False
        self.lpos = 0  # offset in buf whose line number is lnum
        self.lnum = 1
        self.error: Exception | None = None
        self.fill()

    def fill(self) -> int:
        """Read one more chunk; returns how far offsets moved left, or -1 at EOF."""
        if self.eof:
            return -1
        try:
            chunk = self.f.read(CHUNK)
        except Exception as e:  # noqa: BLE001 - yield what we have, then re-raise
            self.error = e
            chunk = b""
        if not chunk:
            self.eof = True
            return -1
        cut = min(self.start, self.lpos)
        if len(self.buf) - cut > MAX_MESSAGE:
            # One message (or one line) larger than any real mail: stop here rather than hold
            # it all in memory; what was read is still handed out, and the error says where.
            from miner.errors import SourceError

            self.error = SourceError(
                f"a message starting near line {self.lnum} is larger than "
                f"{MAX_MESSAGE >> 20} MB (a damaged archive or a decompression bomb?); its first "
                f"{MAX_MESSAGE >> 20} MB were kept and the rest of this source was skipped; split "
                "or repair the file and ingest it again")
            self.eof = True
            return -1
        self.buf = self.buf[cut:] + chunk if cut else self.buf + chunk
        self.start -= cut
        self.lpos -= cut
        return cut

    def find_from(self, pos: int) -> int:
        """Offset of the next line starting with "From " after ``pos``, or -1."""
        while True:
            j = self.buf.find(b"\nFrom ", pos)
            if j >= 0:
                return j + 1
            pos = max(len(self.buf) - 6, 0)
            shift = self.fill()
            if shift < 0:
                return -1
            pos = max(pos - shift, 0)

    def two_lines(self, i: int) -> tuple[int, int, int]:
        """(i, end of the line at i, end of the next line), -1 for ends missing at EOF."""
        while True:
            e1 = self.buf.find(b"\n", i)
            e2 = self.buf.find(b"\n", e1 + 1) if e1 >= 0 else -1
            if e2 >= 0:
                return i, e1, e2
            shift = self.fill()
            if shift < 0:
                return i, e1, e2
            i -= shift

    def line_of(self, i: int) -> int:
        self.lnum += self.buf.count(b"\n", self.lpos, i)
        self.lpos = i
        return self.lnum

    def rest(self) -> bytes:
        while self.fill() >= 0:
            pass
        return self.buf[self.start :]


def _finish(msg: bytes) -> bytes:
    if msg.endswith(b"\r\n\r\n"):
        msg = msg[:-2]
    elif msg.endswith(b"\n\n"):
        msg = msg[:-1]
    return unescape(msg)


class MboxAdapter:
    """Plain mbox files: raw RFC 822 messages, parsed later by ``parse_bytes``."""

    name = "mbox"
    description = "mbox file (mboxo / mboxrd)"

    def sniff(self, head: bytes, path: str) -> float:
        first = head.split(b"\n", 2)
        if len(first) >= 2 and is_separator(first[0].rstrip(b"\r"), first[1].rstrip(b"\r")):
            return 0.8
        if head.startswith(b"From ") and _SEP.match(first[0]):
            return 0.5
        return 0.0

    def iter_items(self, f: BinaryIO, source: str) -> Iterator[SourceItem]:
        for line, sep, raw in split_mbox(f):
            if getattr(f, "failed", False):
                yield SourceItem(source, f"line {line}", raw=raw,
                                 error="message cut short: the source ends early")
                continue
            if not sep:
                yield SourceItem(source, f"line {line}", raw=raw,
                                 error="text before the first 'From ' separator line")
                continue
            yield SourceItem(source, f"line {line}", raw=raw, fallback_date=from_line_date(sep))
