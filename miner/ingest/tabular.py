"""Messages as table rows: CSV / TSV, JSON (a list of records, or an object holding one),
JSON Lines and Parquet, with a column mapping.

Columns are found by their common names (``subject``/``title``, ``body``/``text``/
``body_plain``, ``from_name``/``author``, ``date``/``created_at``, ``message_id``,
``in_reply_to``, ``references``, ``list``...) unless ``--map subject=title,body=text``
names them. Each row is one item (``where`` = "row N"); a row with no text, subject or id
is quarantined, and the row itself (as JSON) is kept as the raw bytes.

>>> parse_mapping("subject=title, body=text")
{'subject': 'title', 'body': 'text'}
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime, timezone

from miner.errors import SourceError
from miner.ingest import headers as H
from miner.ingest.containers import inner_name
from miner.ingest.mime import _links  # noqa: PLC2701 - the same link extraction as mail
from miner.ingest.formats import read_all
from miner.types import ParsedMessage, SourceItem

# field -> candidate column names, best first
COLUMNS: dict[str, tuple[str, ...]] = {
    "message_id": ("message_id", "messageid", "message-id", "msgid", "msg_id", "id"),
    "subject": ("subject", "title", "topic", "subject_clean"),
    "body": ("body", "body_plain", "text", "content", "message", "body_text", "raw_body",
             "cooked", "body_snippet"),
    "from_name": ("from_name", "author_name", "author", "sender_name", "name", "username",
                  "user", "from"),
    "from_email": ("from_email", "author_email", "sender_email", "email", "from_address"),
    "date": ("date", "datetime", "timestamp", "created_at", "sent", "sent_at", "time",
             "posted_at"),
    "in_reply_to": ("in_reply_to", "in-reply-to", "parent_id", "reply_to", "parent"),
    "references": ("references", "refs"),
    "list": ("list", "list_name", "mailing_list", "group", "forum", "channel"),
    "permalink": ("permalink", "url", "link", "archived_at"),
}
FIELDS = tuple(COLUMNS)
RECORD_KEYS = ("messages", "posts", "items", "records", "rows", "data", "emails", "results")
MAX_FILE = 2 * 1024**3
SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".jsonl": "jsonl",
            ".ndjson": "jsonl", ".parquet": "parquet"}


def parse_mapping(spec: str | dict | None) -> dict[str, str]:
    """``"subject=title,body=text"`` -> ``{"subject": "title", "body": "text"}``."""
    if not spec:
        return {}
    if isinstance(spec, dict):
        pairs = list(spec.items())
    else:
        pairs = []
        for part in spec.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise SourceError(f"--map: {part.strip()!r} is not FIELD=COLUMN; write e.g. "
                                  "--map subject=title,body=text")
            k, v = part.split("=", 1)
            pairs.append((k.strip(), v.strip()))
    out = {}
    for k, v in pairs:
        if k not in COLUMNS:
            raise SourceError(f"--map: unknown field {k!r}; valid fields: {', '.join(FIELDS)}")
        out[k] = v
    return out


def resolve_columns(columns: list[str], mapping: dict[str, str], source: str) -> dict[str, str]:
    """field -> column for a table with ``columns``: the mapping first, then common names."""
    # csv.DictReader files cells beyond the header under the key None: not a column
    columns = [c for c in columns if isinstance(c, str)]
    lower = {c.lower().strip(): c for c in columns}
    out: dict[str, str] = {}
    for field, col in mapping.items():
        if col not in columns and col.lower() not in lower:
            raise SourceError(f"{source}: --map {field}={col}: no column {col!r}; columns are: "
                              f"{', '.join(columns[:40])}")
        out[field] = col if col in columns else lower[col.lower()]
    used = set(out.values())
    for field, names in COLUMNS.items():
        if field in out:
            continue
        for n in names:
            if n in lower and lower[n] not in used:
                out[field] = lower[n]
                used.add(lower[n])
                break
    return out


def _kind(source: str, head: bytes) -> str | None:
    name = inner_name(source).lower()
    for suf, kind in SUFFIXES.items():
        if name.endswith(suf):
            return kind
    if head.startswith(b"PAR1"):
        return "parquet"
    return None


def _date(v) -> datetime | None:
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        return v.astimezone(timezone.utc) if v.tzinfo else v.replace(tzinfo=timezone.utc)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        secs = v / 1000 if v > 1e11 else v
        try:
            return datetime.fromtimestamp(secs, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    s = str(v).strip()
    try:
        d = datetime.fromisoformat(s.replace("Z", "+00:00"))
        return d.astimezone(timezone.utc) if d.tzinfo else d.replace(tzinfo=timezone.utc)
    except ValueError:
        return H.parse_date(s)


def _refs(v) -> tuple[str, ...]:
    if v is None or v == "":
        return ()
    if isinstance(v, str) and v.strip().startswith("["):
        try:
            v = json.loads(v)
        except ValueError:
            pass
    if isinstance(v, (list, tuple)):
        out: list[str] = []
        for x in v:
            out.extend(H.parse_refs(str(x)) or ([str(x).strip()] if str(x).strip() else []))
        return tuple(dict.fromkeys(out))
    return H.parse_refs(str(v)) or tuple(str(v).split())


def _str(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v != v:  # NaN from pandas-written tables
        return ""
    return str(v)


def row_message(row: dict, cols: dict[str, str], list_name: str | None) -> ParsedMessage | None:
    """The message a row stands for, or None when it holds nothing usable."""
    g = {f: row.get(c) for f, c in cols.items()}
    body = _str(g.get("body"))
    subject = _str(g.get("subject")).strip()
    mid_raw = _str(g.get("message_id")).strip()
    if not body.strip() and not subject and not mid_raw:
        return None
    if body.lstrip().startswith("<") and cols.get("body", "").lower() == "cooked":
        from miner.ingest.htmltext import html_to_text

        body = html_to_text(body)
    problems: list[str] = []
    date = _date(g.get("date"))
    if date is None:
        problems.append("no readable date in the row")
    refs = _refs(g.get("references"))
    irt = _refs(g.get("in_reply_to"))
    name, email = _str(g.get("from_name")).strip(), _str(g.get("from_email")).strip()
    if not email and "@" in name and "<" in name:
        name, email, _ = H.parse_from(name)
    mid = H.parse_msgid(mid_raw) if mid_raw else None
    if not body.endswith("\n") and body:
        body += "\n"
    return ParsedMessage(
        message_id=mid, subject=subject, from_name=name, from_email=email, date=date,
        date_source="source" if date else "none", in_reply_to=irt[0] if irt else None,
        references=refs or irt, body=body,
        headers=tuple((c, _str(row.get(c))[:500]) for c in cols.values() if c in row
                      and cols.get("body") != c),
        links=_links(body), problems=tuple(problems),
        list_name=_str(g.get("list")).strip() or list_name,
        permalink=_str(g.get("permalink")).strip() or None,
    )


def _records_from_json(obj) -> tuple[list, str | None]:
    if isinstance(obj, list):
        return obj, None
    if isinstance(obj, dict):
        lst = obj.get("list") if isinstance(obj.get("list"), str) else None
        for k in RECORD_KEYS:
            if isinstance(obj.get(k), list):
                return obj[k], lst
        for v in obj.values():
            if isinstance(v, list) and v and all(isinstance(x, dict) for x in v[:5]):
                return v, lst
        return [], lst
    return [], None


class TabularAdapter:
    name = "tabular"
    description = "table of messages: CSV, TSV, JSON, JSON Lines or Parquet (--map FIELD=COLUMN)"
    binary_ok = True  # Parquet is binary

    def __init__(self, mapping: dict[str, str] | None = None) -> None:
        self.mapping = dict(mapping or {})

    def with_options(self, options: dict) -> "TabularAdapter":
        return TabularAdapter(parse_mapping(options.get("map"))) if options.get("map") else self

    def sniff(self, head: bytes, path: str) -> float:
        kind = _kind(path, head)
        if kind is None:
            return 0.0
        if kind == "parquet":
            return 0.9 if head.startswith(b"PAR1") else 0.0
        text = head.lstrip()
        if kind in ("json", "jsonl"):
            if not text.startswith((b"{", b"[")):
                return 0.0
            low = text[:65536].lower()
            keys = sum(1 for f in (b'"subject"', b'"body', b'"message_id"', b'"from', b'"title"',
                                   b'"text"', b'"date"', b'"content"') if f in low)
            return 0.7 if keys >= 2 else 0.0
        first = text.split(b"\n", 1)[0].lower()
        keys = sum(1 for f in (b"subject", b"body", b"message_id", b"from", b"title", b"text",
                               b"date", b"content") if f in first)
        # a table by its name whose columns are unusual: --map tells which is which
        return 0.7 if keys >= 2 else (0.3 if b"," in first or b"\t" in first else 0.0)

    def iter_items(self, f, source: str) -> Iterator[SourceItem]:
        kind = _kind(source, f.peek_head(8))
        if kind == "parquet":
            yield from self._rows(source, *self._parquet(f, source), label="row")
        elif kind == "jsonl":
            yield from self._jsonl(f, source)
        elif kind == "json":
            data = read_all(f, MAX_FILE)
            try:
                obj = json.loads(data.decode("utf-8-sig"))
            except (ValueError, UnicodeDecodeError) as e:
                raise SourceError(f"{source}: not valid JSON ({e}); check the file") from None
            records, lst = _records_from_json(obj)
            yield from self._rows(source, iter(records), lst, label="record")
        else:
            text = io.TextIOWrapper(_Reader(f), encoding="utf-8-sig", errors="replace",
                                    newline="")
            reader = csv.DictReader(text, delimiter="\t" if kind == "tsv" else ",")
            csv.field_size_limit(1 << 30)
            yield from self._rows(source, reader, None, label="row", first=2)

    def _parquet(self, f, source: str):
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            from miner.errors import MissingDependencyError

            raise MissingDependencyError("pyarrow", "tabular") from None
        data = read_all(f, MAX_FILE)
        try:
            pf = pq.ParquetFile(pa.BufferReader(data))
        except Exception as e:  # noqa: BLE001 - pyarrow raises several kinds
            raise SourceError(f"{source}: unreadable Parquet file ({e}); re-export it") from None

        def rows():
            for batch in pf.iter_batches(batch_size=1000):
                yield from batch.to_pylist()

        return rows(), None

    def _jsonl(self, f, source: str) -> Iterator[SourceItem]:
        def records():
            for n, line in enumerate(io.TextIOWrapper(_Reader(f), encoding="utf-8-sig",
                                                      errors="replace"), 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except ValueError as e:
                    yield _BadLine(n, line, str(e))

        yield from self._rows(source, records(), None, label="line")

    def _rows(self, source, rows, list_name, *, label: str, first: int = 1):
        cols: dict[str, str] | None = None
        for n, row in enumerate(rows, first):
            if isinstance(row, _BadLine):
                n = row.n
                yield SourceItem(source, f"{label} {n}", raw=row.line.encode("utf-8"),
                                 error=f"not valid JSON: {row.error}")
                continue
            raw = json.dumps(row, default=str, ensure_ascii=False).encode("utf-8")
            if not isinstance(row, dict):
                yield SourceItem(source, f"{label} {n}", raw=raw, error="not a record (object)")
                continue
            if cols is None or any(c not in row for c in cols.values()):
                cols = resolve_columns(list(row), self.mapping, source)
                if not ({"body", "subject"} & set(cols)):
                    raise SourceError(
                        f"{source}: no subject or body column found (columns: "
                        f"{', '.join(list(row)[:30])}); name them with --map "
                        "subject=COLUMN,body=COLUMN")
            p = row_message(row, cols, list_name)
            if p is None:
                yield SourceItem(source, f"{label} {n}", raw=raw,
                                 error="row has no text, subject or message id")
                continue
            yield SourceItem(source, f"{label} {n}", raw=raw, parsed=p, list_name=list_name)


class _BadLine:
    def __init__(self, n: int, line: str, error: str) -> None:
        self.n, self.line, self.error = n, line, error


class _Reader(io.RawIOBase):
    """A readable raw-IO view of a :class:`~miner.ingest.containers.Stream`."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self.stream.read(len(b))
        b[: len(data)] = data
        return len(data)
