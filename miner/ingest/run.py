"""The ingest orchestrator: sources -> items -> decoded, cleaned messages -> the store,
then threads, people and the report.

Streaming: items are processed in batches and committed per batch, so memory does not grow
with the archive and an interrupted run leaves a consistent corpus; re-running is an upsert
keyed by a stable id (Message-ID, else a content hash), so it adds nothing twice.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import zlib
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence

from miner.errors import SourceError, StrictModeError
from miner.types import IngestReport, ParsedMessage, SourceItem

if TYPE_CHECKING:
    from miner.workspace import Workspace

log = logging.getLogger(__name__)

BATCH = 500
FOOTER_SAMPLE = 400  # items of a source read ahead to learn its list footers

Progress = Callable[[str, int], None]  # (event, count): "item" per item seen, "phase" names


def ingest(ws: "Workspace", specs: Sequence[str], *, list_name: str | None = None,
           strict: bool = False, format: str | None = None,
           progress: Progress | None = None, options: dict | None = None) -> IngestReport:
    """Add the archives named by ``specs`` to the workspace and return the report.

    ``specs`` may include archive URLs (downloaded first, see :mod:`miner.ingest.fetch`);
    ``options`` are per-run adapter options such as ``{"map": "subject=title"}``."""
    from miner.ingest import read_sources

    conn = ws.db
    report = IngestReport()
    tick = progress or (lambda event, n: None)
    from miner.ingest.fetch import localize

    specs = localize(ws, list(specs), report, strict=strict)
    for source_name, items in read_sources(specs, format=format, options=options):
        report.sources.append(source_name)
        counts = {"seen": 0, "added": 0, "duplicates": 0, "repaired": 0, "quarantined": 0}
        report.per_source[source_name] = counts
        source_id = _source_row(conn, source_name, format)
        try:
            _ingest_items(conn, source_id, source_name, items, list_name, strict, report,
                          counts, tick)
            conn.execute("UPDATE sources SET status='done', items=?, ingested_at=?, error=NULL "
                         "WHERE id=?", (counts["seen"], _now(), source_id))
            conn.commit()
        except SourceError as e:
            conn.commit()
            conn.execute("UPDATE sources SET status='error', error=? WHERE id=?", (str(e), source_id))
            conn.commit()
            if strict:
                raise
            report.add_error(source_name, "", str(e))
    tick("phase:threads", 0)
    from miner.ingest.post import rebuild_people, rebuild_threads

    report.people = rebuild_people(conn, ws.config)
    report.threads = rebuild_threads(conn, ws.config)
    conn.commit()
    return report


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _source_row(conn: sqlite3.Connection, name: str, fmt: str | None) -> int:
    conn.execute("INSERT OR IGNORE INTO sources(name, format, status) VALUES (?, ?, 'partial')",
                 (name, fmt))
    conn.execute("UPDATE sources SET status='partial' WHERE name=?", (name,))
    row = conn.execute("SELECT id FROM sources WHERE name=?", (name,)).fetchone()
    conn.commit()
    return int(row[0])


def _ingest_items(conn, source_id, source_name, items: Iterator[SourceItem], list_name, strict,
                  report: IngestReport, counts: dict, tick: Progress) -> None:
    from miner.clean import learn_footers
    from miner.ingest.formats import expand_digests
    from miner.ingest.mime import ParseFailure, parse_bytes

    footers_by_list = _stored_footers(conn)
    head: list[tuple[SourceItem, ParsedMessage]] = []
    batch: list[tuple[SourceItem, ParsedMessage]] = []
    learned = False

    def parsed_items() -> Iterable[tuple[SourceItem, ParsedMessage | None, str | None]]:
        for item in items:
            if item.error is not None:
                yield item, None, item.error
                continue
            if item.parsed is not None:
                yield item, item.parsed, None
                continue
            try:
                yield item, parse_bytes(item.raw or b"", fallback_date=item.fallback_date,
                                        list_name=item.list_name), None
            except ParseFailure as e:
                yield item, None, str(e) or "unparseable message"

    def learn() -> None:
        # Learn this source's list footers from what was read ahead, then segment with them.
        by_list: dict[str, list[str]] = {}
        for it, p in head:
            by_list.setdefault(_list_of(p, it, list_name) or "", []).append(p.body)
        for lst, bodies in by_list.items():
            found = learn_footers(bodies)
            known = footers_by_list.setdefault(lst, [])
            for f in found:
                if f not in known:
                    known.append(f)
                    conn.execute("INSERT OR IGNORE INTO footers(list, text) VALUES (?, ?)", (lst, f))

    for item, parsed, error in expand_digests(parsed_items(), conn):
        report.messages_seen += 1
        counts["seen"] += 1
        tick("item", 1)
        if parsed is None:
            where = f"{source_name} {item.where}".strip()
            if strict:
                raise StrictModeError(
                    f"{where}: {error}; the raw message was not stored (--strict). Fix or remove "
                    "it, or run without --strict to quarantine it and go on"
                )
            _quarantine(conn, source_id, item, error or "unparseable")
            report.quarantined += 1
            counts["quarantined"] += 1
            report.add_error(source_name, item.where, error or "unparseable")
            continue
        if not learned:
            head.append((item, parsed))
            if len(head) >= FOOTER_SAMPLE:
                learn()
                learned = True
                batch.extend(head)
                head = []
        else:
            batch.append((item, parsed))
        if len(batch) >= BATCH:
            _store(conn, source_id, batch, list_name, footers_by_list, report, counts)
            batch = []
    if not learned:
        learn()
        batch.extend(head)
    if batch:
        _store(conn, source_id, batch, list_name, footers_by_list, report, counts)


def _stored_footers(conn) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for lst, text in conn.execute("SELECT list, text FROM footers ORDER BY rowid"):
        out.setdefault(lst, []).append(text)
    return out


def _list_of(p: ParsedMessage, item: SourceItem, override: str | None) -> str | None:
    return override or p.list_name or item.list_name


def message_key(p: ParsedMessage, raw: bytes | None) -> str:
    if p.message_id:
        return p.message_id
    h = hashlib.sha1()
    if raw:
        h.update(raw)
    else:
        for part in (p.from_email, p.subject, p.date.isoformat() if p.date else "", p.body):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\0")
    return "sha1:" + h.hexdigest()


def content_hash(p: ParsedMessage, new_text: str) -> str:
    from miner.threads import normalize_subject

    norm = " ".join(new_text.split()).casefold()
    data = "\0".join((p.from_email.casefold(), normalize_subject(p.subject).casefold(), norm))
    return hashlib.sha1(data.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _store(conn, source_id, batch, list_name, footers_by_list, report: IngestReport,
           counts: dict) -> None:
    from miner.clean import segment
    from miner.lang import guess_language

    keys = [message_key(p, it.raw) for it, p in batch]
    existing = set()
    for i in range(0, len(keys), 900):
        chunk = keys[i:i + 900]
        q = "SELECT key FROM messages WHERE key IN (%s)" % ",".join("?" * len(chunk))
        existing.update(r[0] for r in conn.execute(q, chunk))
    rows, raws, atts, links = [], [], [], []
    for key, (item, p) in zip(keys, batch):
        if key in existing:
            report.duplicates += 1
            counts["duplicates"] += 1
            continue
        existing.add(key)
        lst = _list_of(p, item, list_name)
        cleaned = segment(p.body, footers=footers_by_list.get(lst or "", ()))
        chash = content_hash(p, cleaned.new_text)
        if p.digest_of is not None or _is_digest_copy(conn, chash):
            # the same message already arrived (individually or inside a digest)
            if conn.execute("SELECT 1 FROM messages WHERE content_hash=?", (chash,)).fetchone():
                report.duplicates += 1
                counts["duplicates"] += 1
                continue
        if p.problems:
            report.repaired += 1
            counts["repaired"] += 1
        rows.append((
            key, p.message_id or key, lst, p.subject, p.from_name, p.from_email,
            p.date.isoformat() if p.date else None, p.date_source, p.in_reply_to,
            " ".join(p.references), p.body, cleaned.new_text, cleaned.quoted_text,
            cleaned.signature,
            json.dumps([[s.kind, s.start, s.end] for s in cleaned.segments]),
            guess_language(cleaned.new_text), int(p.html), p.permalink,
            json.dumps(list(p.problems)) if p.problems else None, chash, p.digest_of,
            source_id, item.where,
        ))
        if item.raw is not None:
            raws.append((key, source_id, item.where, zlib.compress(item.raw, 1)))
        atts.extend((key, a.filename, a.content_type, a.size) for a in p.attachments)
        links.extend((key, u) for u in dict.fromkeys(p.links))
    with conn:
        conn.executemany(
            "INSERT INTO messages(key, message_id, list, subject, from_name, from_email, date, "
            "date_source, in_reply_to, refs, body, text, quoted_text, signature, segments, lang, "
            "html, permalink, problems, content_hash, digest_of, source_id, \"where\") "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        conn.executemany("INSERT OR IGNORE INTO raw_messages(key, source_id, \"where\", raw) "
                         "VALUES (?,?,?,?)", raws)
        conn.executemany("INSERT INTO attachments(key, filename, content_type, size) "
                         "VALUES (?,?,?,?)", atts)
        conn.executemany("INSERT INTO links(key, url) VALUES (?,?)", links)
    report.added += len(rows)
    counts["added"] += len(rows)


def _is_digest_copy(conn, chash: str) -> bool:
    """Whether a message with this content came out of a digest (so an individual copy dedups)."""
    return conn.execute(
        "SELECT 1 FROM messages WHERE content_hash=? AND digest_of IS NOT NULL", (chash,)
    ).fetchone() is not None


def _quarantine(conn, source_id: int, item: SourceItem, reason: str) -> None:
    raw = item.raw if item.raw is not None else repr(item.parsed).encode("utf-8", "replace")
    key = hashlib.sha1(raw + item.where.encode()).hexdigest()
    conn.execute(
        "INSERT OR IGNORE INTO quarantine(key, source_id, \"where\", reason, raw) VALUES (?,?,?,?,?)",
        (key, source_id, item.where, reason, zlib.compress(raw, 1)),
    )
