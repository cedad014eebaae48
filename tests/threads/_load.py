"""Stdlib loader for threading/identity tests, until miner.ingest exists.

Splits mbox / pipermail text archives on their "From " separator lines (pipermail does
not escape "From " at the start of body lines, so only lines that look like a real
separator, with a trailing asctime date, count), parses headers with ``compat32`` and
builds :class:`ThreadInput` and :class:`Sender` records.
"""
from __future__ import annotations

import email
import gzip
import re
from dataclasses import dataclass
from email import policy
from email.header import decode_header, make_header
from email.utils import parseaddr, parsedate_to_datetime
from datetime import datetime, timezone
from pathlib import Path

from miner.types import Sender, ThreadInput

_SEP = re.compile(
    rb"^From \S.*?\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    rb" +\d{1,2} \d\d:\d\d:\d\d(?: [+-]?\d{4})? ?\d{4}\s*$"
)


@dataclass
class Loaded:
    key: str
    msg: email.message.Message
    sep_date: datetime | None
    source: str


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _sep_date(line: bytes) -> datetime | None:
    m = re.search(rb"(\w{3}) +(\d{1,2}) (\d\d:\d\d:\d\d) (\d{4})\s*$", line)
    if not m:
        return None
    try:
        return datetime.strptime(
            f"{m[1].decode()} {m[2].decode()} {m[3].decode()} {m[4].decode()}", "%b %d %H:%M:%S %Y"
        ).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def split_mbox(path: Path) -> list[tuple[bytes, datetime | None]]:
    out: list[tuple[bytes, datetime | None]] = []
    cur: list[bytes] = []
    date = None
    started = False
    for line in _read(path).splitlines(keepends=True):
        if _SEP.match(line):
            if started:
                out.append((b"".join(cur), date))
            cur, date, started = [], _sep_date(line), True
            continue
        if started:
            cur.append(line)
    if started:
        out.append((b"".join(cur), date))
    return out


def load_mbox_files(paths, prefix: str = "") -> list[Loaded]:
    items = []
    for path in sorted(paths):
        for k, (raw, d) in enumerate(split_mbox(Path(path))):
            msg = email.message_from_bytes(raw, policy=policy.compat32)
            items.append(Loaded(f"{prefix}{Path(path).name}#{k}", msg, d, str(path)))
    return items


def load_eml_dir(folder: Path) -> list[Loaded]:
    items = []
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.compat32)
        items.append(Loaded(str(path.relative_to(folder)), msg, None, str(path)))
    return items


def header(msg, name: str) -> str | None:
    v = msg.get(name)
    if v is None:
        return None
    try:
        return str(make_header(decode_header(str(v))))
    except Exception:  # noqa: BLE001 - broken encodings: keep the raw text
        return str(v)


def msg_date(item: Loaded) -> datetime | None:
    v = item.msg.get("Date")
    if v:
        try:
            d = parsedate_to_datetime(str(v))
            if d is not None:
                return d if d.tzinfo else d.replace(tzinfo=timezone.utc)
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    return item.sep_date


def to_thread_input(item: Loaded, list_name: str | None = None) -> ThreadInput:
    m = item.msg
    refs = m.get_all("References") or []
    return ThreadInput(
        key=item.key,
        message_id=str(m.get("Message-ID")) if m.get("Message-ID") else None,
        in_reply_to=str(m.get("In-Reply-To")) if m.get("In-Reply-To") else None,
        references=tuple(str(r) for r in refs),
        subject=header(m, "Subject") or "",
        date=msg_date(item),
        list=list_name,
    )


_PIPERMAIL_FROM = re.compile(r"^\s*(\S+ at \S+|\S.*? @end\|ng \|rom \S+|\S.*? @ending from \S+)\s*\((.*)\)\s*$")


def to_sender(item: Loaded, list_name: str | None = None) -> Sender:
    raw = header(item.msg, "From") or ""
    m = _PIPERMAIL_FROM.match(raw)
    if m:  # pipermail "addr (Name)": the address may contain spaces, parseaddr can't
        email_, name = m[1], m[2]
    else:
        name, email_ = parseaddr(raw)
        if not email_ and raw:
            email_ = raw
    return Sender(key=item.key, name=name.strip().strip('"'), email=email_.strip(), list=list_name)
