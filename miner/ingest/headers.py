"""Header decoding: RFC 2047 encoded words, raw 8-bit bytes, addresses, dates, message ids.

Everything here is tolerant: real archives hold broken encoded words, undeclared 8-bit
headers and dates in every form. Each function returns its best decoding and, where it
had to repair something, a short reason the caller appends to ``problems``.
"""
from __future__ import annotations

import binascii
import functools
import re
import warnings
from datetime import datetime, timedelta, timezone
from email.utils import getaddresses, parseaddr, parsedate_tz

from miner.ingest.charsets import decode_bytes, lookup_codec

# An encoded word; tolerant of spaces inside Q text and of a missing "?=" at the very end.
_EW = re.compile(r"=\?([^?\s]+)\?([QqBb])\?(.*?)(?:\?=|$)", re.S)
_EW_GAP = re.compile(r"(\?=)\s+(=\?)")
_WS = re.compile(r"\s+")


def decode_raw_header(value: bytes | str) -> tuple[str, str | None]:
    """Turn a raw header value into text: ASCII as is, else UTF-8, else a detected charset."""
    if isinstance(value, str):
        if value.isascii():
            return value, None
        try:  # surrogate-escaped bytes from the email package
            value = value.encode("ascii", "surrogateescape")
        except UnicodeEncodeError:
            return value, None
    if value.isascii():
        return value.decode("ascii"), None
    text, cs = decode_bytes(value, None)
    return text, f"raw 8-bit header decoded as {cs}"


def _b64(data: str) -> bytes:
    data = re.sub(r"[^A-Za-z0-9+/]", "", data)
    if len(data) % 4 == 1:
        data = data[:-1]
    return binascii.a2b_base64(data + "=" * (-len(data) % 4))


def _q(data: str) -> bytes:
    return binascii.a2b_qp(data.replace("_", " ").encode("ascii", "replace"), header=False)


def decode_words(text: str) -> tuple[str, str | None]:
    """Decode RFC 2047 encoded words in ``text`` (already a str).

    Adjacent words are joined before decoding (a multi-byte character may be split
    across two words). Returns the text and a problem note when a word was broken.
    """
    if "=?" not in text:
        return text, None
    text = _EW_GAP.sub(r"\1\2", text)
    out: list[str] = []
    problem = None
    pos = 0
    pending: list[bytes] = []
    pending_cs = ""

    def flush() -> None:
        nonlocal pending, problem
        if pending:
            s, cs = decode_bytes(b"".join(pending), pending_cs)
            if cs != lookup_codec(pending_cs) and not b"".join(pending).isascii():
                problem = f"encoded word charset {pending_cs!r} decoded as {cs}"
            out.append(s)
            pending = []

    for m in _EW.finditer(text):
        if m.start() > pos:
            flush()
            out.append(text[pos : m.start()])
        cs = m.group(1).split("*", 1)[0]
        if not m.group(0).endswith("?=") and m.group(0) != text[m.start() :]:
            problem = "broken encoded word"
        elif not m.group(0).endswith("?="):
            problem = "unterminated encoded word"
        try:
            data = _b64(m.group(3)) if m.group(2) in "Bb" else _q(m.group(3))
        except (binascii.Error, ValueError):
            flush()
            out.append(m.group(0))
            problem = "undecodable encoded word"
            pos = m.end()
            continue
        if pending and cs.lower() != pending_cs.lower():
            flush()
        pending_cs = cs
        pending.append(data)
        pos = m.end()
    flush()
    out.append(text[pos:])
    return "".join(out), problem


def decode_header(value: bytes | str | None) -> tuple[str, list[str]]:
    """Full header decoding: raw bytes to text, encoded words, whitespace unfolded."""
    if value is None:
        return "", []
    problems = []
    text, p1 = decode_raw_header(value)
    if p1:
        problems.append(p1)
    text, p2 = decode_words(text)
    if p2:
        problems.append(p2)
    if "  " in text or "\t" in text or "\n" in text:
        text = _WS.sub(" ", text)
    return text.strip(), problems


_ANGLE = re.compile(r'^\s*"?(.*?)"?\s*<([^<>\s]*)>\s*$', re.S)
_PAREN = re.compile(r"^\s*([^\s<>()]+)\s*\((.*)\)\s*$", re.S)
_BARE = re.compile(r"^\s*<?([^\s<>()\"]+@[^\s<>()\"]+?)>?\s*$")


def parse_from(value: bytes | str | None) -> tuple[str, str, list[str]]:
    """Return (display name, address, problems) of a From header."""
    if value is None:
        return "", "", []
    if isinstance(value, str):  # a list's senders recur: parsed once per process
        name, addr, problems = _parse_from_str(value)
        return name, addr, list(problems)
    return _parse_from(value)


@functools.lru_cache(maxsize=8192)
def _parse_from_str(value: str) -> tuple[str, str, tuple[str, ...]]:
    name, addr, problems = _parse_from(value)
    return name, addr, tuple(problems)


def _parse_from(value: bytes | str) -> tuple[str, str, list[str]]:
    raw, p = decode_raw_header(value)
    problems = [p] if p else []
    raw = _WS.sub(" ", raw).strip()
    m = _ANGLE.match(raw)
    if m:
        name, addr = m.group(1), m.group(2)
    else:
        m = _PAREN.match(raw)
        if m:
            addr, name = m.group(1), m.group(2)
        else:
            m = _BARE.match(raw)
            if m:
                name, addr = "", m.group(1)
            else:
                name, addr = parseaddr(raw)
                if not addr and not name:
                    name = raw
    name, p2 = decode_words(name)
    if p2:
        problems.append(p2)
    name = name.strip().strip('"').strip("'").strip()
    name = name.replace('\\"', '"')
    return name, addr.strip(), problems


def parse_addresses(value: str | None) -> list[tuple[str, str]]:
    if not value:
        return []
    return [(decode_words(n)[0], a) for n, a in getaddresses([value]) if a]


_MID = re.compile(r"<([^<>\s]+)>")
_BARE_ID = re.compile(r"[^\s<>,;\"]+@[^\s<>,;\"]+")


def parse_msgid(value: str | None) -> str | None:
    """The first message id in a header, without angle brackets."""
    if not value:
        return None
    m = _MID.search(value)
    if m:
        return m.group(1)
    m = _BARE_ID.search(value)
    if m:
        return m.group(0)
    v = value.strip().strip("<>").strip()
    return v.split()[0] if v else None


def parse_refs(value: str | None) -> tuple[str, ...]:
    """All message ids in References / In-Reply-To, with or without angle brackets."""
    if not value:
        return ()
    ids = _MID.findall(value)
    if not ids:
        ids = _BARE_ID.findall(value)
    seen: dict[str, None] = {}
    for i in ids:
        seen.setdefault(i, None)
    return tuple(seen)


# ------------------------------------------------------------------ dates
MIN_YEAR = 1971
_HAS_YEAR = re.compile(r"\b(19[7-9]\d|20\d\d)\b")


def _plausible(d: datetime) -> bool:
    return MIN_YEAR <= d.year <= datetime.now(timezone.utc).year + 1


def _from_tuple(t: tuple | None) -> datetime | None:
    if not t:
        return None
    try:
        y = t[0]
        if y < 100:  # two-digit years: RFC 2822 rules
            y += 2000 if y < 50 else 1900
        d = datetime(y, t[1], t[2], t[3], t[4], min(int(t[5]), 59))
        off = t[9]
        if off is not None and abs(off) < 24 * 3600:
            d = d - timedelta(seconds=off)
        return d.replace(tzinfo=timezone.utc)
    except (ValueError, TypeError, OverflowError, IndexError):
        return None


# The RFC 5322 form nearly every list message carries ("Sun, 05 May 2019 10:00:00 +0200",
# maybe with a zone comment such as "(CET)", which parsedate_tz ignores too), read by one
# regex: 1.6x cheaper than parsedate_tz + _from_tuple, with the same result (any other form,
# or a value datetime rejects, takes the general path below).
_RFC_DATE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov"
    r"|Dec) (\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)"
    r"(?: \([A-Za-z]{1,5}\))?")
_MONTH = {m: i + 1 for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}


def _rfc_date(value: str) -> datetime | None:
    m = _RFC_DATE.fullmatch(value)
    if m is None:
        return None
    day, mon, year, hh, mm, ss, sign, oh, om = m.groups()
    try:
        d = datetime(int(year), _MONTH[mon], int(day), int(hh), int(mm), min(int(ss), 59),
                     tzinfo=timezone.utc)
    except ValueError:
        return None
    off = int(oh) * 3600 + int(om) * 60
    if off and off < 24 * 3600:  # as _from_tuple: an absurd offset is ignored
        d -= timedelta(seconds=off if sign == "+" else -off)
    return d


def parse_date(value: str | None) -> datetime | None:
    """Parse a date in any real-world form to aware UTC, or None (absurd years rejected)."""
    if not value:
        return None
    value = value.strip()
    d = _rfc_date(value)
    if d is not None:
        return d if _plausible(d) else None
    d = _from_tuple(parsedate_tz(value))
    if d is None:
        if not _HAS_YEAR.search(value):
            return None
        try:
            from dateutil import parser as du

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                d = du.parse(value, fuzzy=True)
        except (ValueError, OverflowError, TypeError, ArithmeticError):
            return None
        d = d.replace(tzinfo=timezone.utc) if d.tzinfo is None else d.astimezone(timezone.utc)
    return d if _plausible(d) else None


def received_date(received: list[str]) -> datetime | None:
    """The date of the last (earliest) Received header that carries one."""
    for value in reversed(received):
        if ";" in value:
            d = parse_date(value.rsplit(";", 1)[1])
            if d is not None:
                return d
    return None
