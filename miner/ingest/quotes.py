"""Link quoted passages to the earlier message they quote.

A reply's quoted text is matched against the new text of its parent first, then of earlier
messages in the same thread: the quote's distinctive lines (long enough to identify a message,
whitespace- and case-normalised) must appear in the candidate's text. The link is stored in
``messages.quotes_key`` so readers and stages can show the quoted message once, by reference,
and treat quoted and new text separately.

The post-ingest phase (miner/ingest/post.py) calls :func:`link_quotes_in` for the messages
whose thread changed, inside its own transaction.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable

MIN_LINE = 25  # characters: shorter lines ("Thanks,", "Hi all") identify nothing
MAX_CANDIDATES = 8
_CHUNK = 500
_NORMED_MAX = 20_000  # normalised candidate texts kept while linking (a few tens of MB at most)


def _norm(s: str) -> str:
    # str.split() splits on exactly the characters re's \s matches (str.isspace), 3x faster
    return " ".join(s.split()).casefold()


def _probe_lines(quoted: str, k: int = 3) -> list[str]:
    lines = [_norm(ln) for ln in quoted.splitlines()]
    lines = [ln for ln in lines if len(ln) >= MIN_LINE]
    # longest lines first: the most distinctive, and the least likely to be wrapped differently
    return sorted(lines, key=len, reverse=True)[:k]


def _matches(probes: list[str], candidate_text: str, text: str | None = None) -> bool:
    if not probes:
        return False
    text = _norm(candidate_text) if text is None else text
    hits = sum(1 for p in probes if p in text)
    return hits >= max(1, (len(probes) + 1) // 2)


def _quotes(quoted: str, candidate_text: str) -> bool:
    return _matches(_probe_lines(quoted), candidate_text)


def _link_one(conn: sqlite3.Connection, key: str, parent_key: str | None,
              thread_id: str | None, date: str | None, quoted: str,
              normed: dict[str, str] | None = None) -> str:
    probes = _probe_lines(quoted)
    if not probes:
        return ""
    cands: list[tuple[str, str]] = []
    if parent_key:
        row = conn.execute("SELECT key, text FROM messages WHERE key=?", (parent_key,)).fetchone()
        if row:
            cands.append((row[0], row[1]))
    if thread_id:
        cands += conn.execute(
            "SELECT key, text FROM messages WHERE thread_id=? AND key != ? AND "
            "(date IS NULL OR ? IS NULL OR date <= ?) ORDER BY date DESC, id DESC LIMIT ?",
            (thread_id, key, date, date, MAX_CANDIDATES)).fetchall()
    seen = set()
    for ckey, ctext in cands:
        if ckey in seen or ckey == key:
            continue
        seen.add(ckey)
        if normed is None:
            text = _norm(ctext or "")
        else:  # a message is a candidate for many replies of its thread: normalise it once
            text = normed.get(ckey)
            if text is None:
                if len(normed) >= _NORMED_MAX:
                    normed.clear()
                text = normed[ckey] = _norm(ctext or "")
        if _matches(probes, "", text):
            return ckey
    return ""


def link_quotes_in(conn: sqlite3.Connection, ids: Iterable[int]) -> int:
    """(Re)examine the messages with row ids ``ids``; set their ``quotes_key`` ('' when
    nothing matched). Does not commit. Returns how many were linked."""
    ids = list(ids)
    linked = 0
    normed: dict[str, str] = {}
    for i in range(0, len(ids), _CHUNK):
        part = ids[i:i + _CHUNK]
        rows = conn.execute(
            "SELECT id, key, parent_key, thread_id, date, quoted_text FROM messages "
            f"WHERE id IN ({','.join('?' * len(part))})", part).fetchall()
        updates = []
        for mid, key, parent_key, thread_id, date, quoted in rows:
            found = (_link_one(conn, key, parent_key, thread_id, date, quoted, normed)
                     if quoted else "")
            linked += bool(found)
            updates.append((found, mid))
        conn.executemany("UPDATE messages SET quotes_key=? WHERE id=?", updates)
    return linked


def link_quotes(conn: sqlite3.Connection, *, only_new: bool = True) -> int:
    """Set ``quotes_key`` for replies whose quote comes from an earlier stored message.

    Returns how many messages were linked. Idempotent; ``only_new`` skips messages already
    linked or already examined (their ``quotes_key`` is '' when nothing matched).
    """
    where = "quoted_text != ''" + (" AND quotes_key IS NULL" if only_new else "")
    ids = [r[0] for r in conn.execute(f"SELECT id FROM messages WHERE {where}")]
    with conn:
        return link_quotes_in(conn, ids)
