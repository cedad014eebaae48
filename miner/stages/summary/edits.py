"""Facilitator edits of a draft: drop points, rename, drop and reorder themes. Stored in the
workspace (table ``summary_edits``, keyed by thread id) and applied on every export.

    >>> save_edits(ws, tid, {"order": ["t2", "t1"], "rename": {"t1": "Funding"}})  # doctest: +SKIP
"""
from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone

from miner.errors import ConfigError
from miner.stages.summary.records import ConsolidatedReply

EDIT_KEYS = ("order", "rename", "drop_themes", "drop_points")

_DDL = ("CREATE TABLE IF NOT EXISTS summary_edits (thread_id TEXT PRIMARY KEY, "
        "edits TEXT NOT NULL, updated TEXT)")


def validate(edits: dict) -> dict:
    """The edits in canonical form; a ConfigError that lists the valid keys otherwise."""
    if not isinstance(edits, dict):
        raise ConfigError("edits must be a JSON object with keys: " + ", ".join(EDIT_KEYS))
    bad = sorted(set(edits) - set(EDIT_KEYS))
    if bad:
        raise ConfigError(f"unknown edit key(s) {', '.join(bad)}; the valid keys are: "
                          + ", ".join(EDIT_KEYS))
    out = {
        "order": [str(k) for k in edits.get("order", [])],
        "rename": {str(k): str(v) for k, v in dict(edits.get("rename", {})).items()},
        "drop_themes": [str(k) for k in edits.get("drop_themes", [])],
        "drop_points": [[str(m), str(t)] for m, t in edits.get("drop_points", [])],
    }
    return out


def save_edits(ws, thread_id: str, edits: dict) -> None:
    """Store (replace) the facilitator's edits of the reply of ``thread_id``."""
    e = validate(edits)
    conn = ws.db
    with conn:
        conn.execute(_DDL)
        conn.execute("INSERT OR REPLACE INTO summary_edits(thread_id, edits, updated) "
                     "VALUES (?, ?, ?)", (thread_id, json.dumps(e, ensure_ascii=False),
                                          datetime.now(timezone.utc).isoformat(timespec="seconds")))


def load_edits(ws, thread_id: str) -> dict | None:
    """The stored edits of ``thread_id``'s reply, or None."""
    try:
        row = ws.db.execute("SELECT edits FROM summary_edits WHERE thread_id = ?",
                            (thread_id,)).fetchone()
    except Exception:  # noqa: BLE001 - no table yet: no edits
        return None
    return json.loads(row[0]) if row else None


def apply_edits(reply: ConsolidatedReply, edits: dict | None) -> ConsolidatedReply:
    """The reply with ``edits`` applied (themes reordered, renamed, dropped; points dropped)."""
    if not edits:
        return reply
    e = validate(edits)
    drop_pts = {(m, t) for m, t in e["drop_points"]}
    themes = [t for t in reply.themes if t.key not in set(e["drop_themes"])]
    rank = {k: i for i, k in enumerate(e["order"])}
    themes.sort(key=lambda t: rank.get(t.key, len(rank) + reply.themes.index(t)))
    themes = [dataclasses.replace(
        t, label=e["rename"].get(t.key, t.label),
        points=tuple(p for p in t.points if (p.message_id, p.text) not in drop_pts))
        for t in themes]
    exps = tuple(dataclasses.replace(x, points=tuple(
        p for p in x.points if (p.message_id, p.text) not in drop_pts)) for x in reply.experiences)
    return dataclasses.replace(reply, themes=tuple(themes),
                               experiences=tuple(x for x in exps if x.points), edited=True)
