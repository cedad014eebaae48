"""More like this: messages like a message (in other threads), threads like a thread."""
from __future__ import annotations

import numpy as np

from miner.stages import embeddings as E
from miner.stages.search.dense import dense_ranking
from miner.stages.search.engine import THREAD_POOL
from miner.stages.search.hits import message_hits, thread_hits
from miner.stages.search.keyword import keyword_index, keyword_ranking
from miner.stages.search.query import QueryError, all_ids, query_terms
from miner.types import SearchHit


def more_like_this(ws, message_id: str | None = None, thread_id: str | None = None, k: int = 10,
                   *, embedder=None) -> list[SearchHit]:
    """Messages like a message (other threads only), or threads like a thread."""
    from miner.store.queries import get_message, resolve_thread

    conn = ws.db
    if (message_id is None) == (thread_id is None):
        raise QueryError("give exactly one of a message id or a thread id")
    if message_id is not None:
        msg = get_message(conn, message_id)
        own_ids = [msg.id]
        exclude = msg.thread_id
        text = f"{msg.subject}\n\n{msg.text}"
    else:
        th = resolve_thread(conn, thread_id)
        exclude = th.thread_id
        own = conn.execute("SELECT id, subject, text FROM messages WHERE thread_id = ?",
                           (exclude,)).fetchall()
        own_ids = [r[0] for r in own]
        text = th.subject + "\n\n" + "\n\n".join(r[2] for r in own[:5])
    emb = embedder or E.embedder_for_search(ws)
    ids, X = E.load_matrix(ws, emb) if emb is not None else (np.zeros(0, np.int64), None)
    vec = None
    if len(ids):
        rows = [r for r in np.searchsorted(ids, own_ids) if r < len(ids)]
        rows = [r for r, i in zip(rows, own_ids) if ids[r] == i]
        if rows:
            vec = X[rows].mean(0)
            n = float(np.linalg.norm(vec))
            vec = vec / n if n else None
    terms = query_terms(text)
    pool = max(THREAD_POOL, 30 * k)
    where = "(m.thread_id IS NULL OR m.thread_id != ?) AND m.id NOT IN ({})".format(",".join(
        "?" * len(own_ids)))
    args = [exclude or "", *own_ids]
    # every message but the thread's, without scanning the table (230 ms of CPU at 100k)
    mine = own_ids + ([r[0] for r in conn.execute("SELECT id FROM messages WHERE thread_id = ?",
                                                  (exclude,))] if exclude else [])
    every = all_ids(conn)
    drop = np.unique(np.asarray(mine, dtype=np.int64))  # a thread: few ids
    pos = np.searchsorted(every, drop)
    ok = pos < len(every)
    pos = pos[ok][every[pos[ok]] == drop[ok]]
    allowed = np.delete(every, pos)
    if vec is not None:
        ranked = dense_ranking(ws, vec, ids, X, where, args, pool, emb, allowed=allowed)
    else:
        keyword_index(conn, save=not ws.readonly)
        ranked = keyword_ranking(conn, terms, where, args, pool, allowed=allowed)
    if thread_id is not None:
        return thread_hits(ws, ranked, k, terms[:8])
    return message_hits(conn, ranked[:k], terms[:8])


def similar(ws, ref: str, k: int = 10, *, embedder=None) -> tuple[bool, list[SearchHit]]:
    """More like ``ref``: a thread id (threads like it) or a Message-ID (messages like it).
    Returns ``(is_thread, hits)``."""
    ref = (ref or "").strip().strip("<>")
    if ws.db.execute("SELECT 1 FROM threads WHERE thread_id = ?", (ref,)).fetchone():
        return True, more_like_this(ws, thread_id=ref, k=k, embedder=embedder)
    return False, more_like_this(ws, message_id=ref, k=k, embedder=embedder)
