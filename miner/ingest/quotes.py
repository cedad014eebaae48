"""Link quoted passages to the earlier message they quote.

A reply's quoted text is matched against the new text of its parent first, then of earlier
messages in the same thread: the quote's distinctive lines (long enough to identify a message,
whitespace- and case-normalised) must appear in the candidate's text. The link is stored in
``messages.quotes_key`` so readers and stages can show the quoted message once, by reference,
and treat quoted and new text separately.
"""
from __future__ import annotations

import re
import sqlite3

_WS = re.compile(r"\s+")
MIN_LINE = 25  # characters: shorter lines ("Thanks,", "Hi all") identify nothing
MAX_CANDIDATES = 8


def _norm(s: str) -> str:
    return _WS.sub(" ", s).strip().casefold()


def _probe_lines(quoted: str, k: int = 3) -> list[str]:
    lines = [_norm(ln) for ln in quoted.splitlines()]
    lines = [ln for ln in lines if len(ln) >= MIN_LINE]
    # longest lines first: the most distinctive, and the least likely to be wrapped differently
    return sorted(lines, key=len, reverse=True)[:k]


def _quotes(quoted: str, candidate_text: str) -> bool:
    probes = _probe_lines(quoted)
    if not probes:
        return False
    text = _norm(candidate_text)
    hits = sum(1 for p in probes if p in text)
    return hits >= max(1, (len(probes) + 1) // 2)


def link_quotes(conn: sqlite3.Connection, *, only_new: bool = True) -> int:
    """Set ``quotes_key`` for replies whose quote comes from an earlier stored message.

    Returns how many messages were linked. Idempotent; ``only_new`` skips messages already
    linked or already examined (their ``quotes_key`` is '' when nothing matched).
    """
    where = "quoted_text != ''" + (" AND quotes_key IS NULL" if only_new else "")
    todo = conn.execute(
        f"SELECT key, parent_key, thread_id, date, quoted_text FROM messages WHERE {where}"
    ).fetchall()
    updates = []
    linked = 0
    for key, parent_key, thread_id, date, quoted in todo:
        found = ""
        cands: list[tuple[str, str]] = []
        if parent_key:
            row = conn.execute("SELECT key, text FROM messages WHERE key=?", (parent_key,)).fetchone()
            if row:
                cands.append((row[0], row[1]))
        if thread_id:
            cands += conn.execute(
                "SELECT key, text FROM messages WHERE thread_id=? AND key != ? AND "
                "(date IS NULL OR ? IS NULL OR date <= ?) ORDER BY date DESC LIMIT ?",
                (thread_id, key, date, date, MAX_CANDIDATES)).fetchall()
        seen = set()
        for ckey, ctext in cands:
            if ckey in seen or ckey == key:
                continue
            seen.add(ckey)
            if _quotes(quoted, ctext or ""):
                found = ckey
                linked += 1
                break
        updates.append((found, key))
    with conn:
        conn.executemany("UPDATE messages SET quotes_key=? WHERE key=?", updates)
    return linked
