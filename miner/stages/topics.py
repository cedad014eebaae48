"""Topics stage: BERTopic over the vectors of each message's new text, aggregated to threads.

A thread's topics are its messages' topics with their shares. Topic ids are stable: each run
aligns its clusters to the previous run's by centroid cosine (Hungarian matching, threshold
:data:`ALIGN_THRESHOLD`); unmatched clusters get fresh ids, never reused ones. Facilitators'
renames and merges live in ``topic_edits`` and are replayed after every run.

    >>> from miner.stages import topics                     # doctest: +SKIP
    >>> topics.run(ws, None)["topics"]                      # doctest: +SKIP
    41
    >>> topics.list_topics(ws)[0].label                     # doctest: +SKIP
    'effect sizes / multilevel model / dependent'
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from miner.errors import NotFoundError, StageError

log = logging.getLogger(__name__)

REQUIRES = ("embeddings",)
WRITES = ("topics", "message_topics", "thread_topics", "topic_time")

MIN_WORDS = 5  # shorter new texts ("Thanks!", "+1") are outliers, not topic evidence
ALIGN_THRESHOLD = 0.8  # centroid cosine needed to keep a previous topic's id
OUTLIER_THRESHOLD = 0.3  # quality mode: reduce_outliers by embeddings above this cosine
MODEL_DIR = "models/topics"
FIT_THREADS = 1  # BLAS/OpenMP threads while fitting (see run())


@dataclass(frozen=True, slots=True)
class TopicSummary:
    topic_id: int
    label: str
    keywords: tuple[str, ...]
    size: int
    threads: int
    first_seen: str | None
    last_seen: str | None

    def as_dict(self) -> dict:
        return {"topic_id": self.topic_id, "label": self.label, "keywords": list(self.keywords),
                "size": self.size, "threads": self.threads, "first_seen": self.first_seen,
                "last_seen": self.last_seen}


@dataclass(frozen=True, slots=True)
class TopicPeriod:
    period: str  # YYYY-MM
    list: str
    messages: int
    threads: int


@dataclass(frozen=True, slots=True)
class TopicMessage:
    message_id: str
    subject: str
    date: str | None
    score: float


# ------------------------------------------------------------------------------------ the stage

def run(ws, progress: Callable[[int, int], None] | None = None, *,
        vectors: tuple[Sequence[str], np.ndarray] | None = None,
        embed_fn: Callable[[list[str]], np.ndarray] | None = None,
        mode: str | None = None) -> dict:
    """Fit topics on all messages' vectors and store them; returns a report.

    ``vectors`` (keys, matrix) and ``embed_fn`` (word vectors for labels) default to the
    embeddings stage's :func:`message_vectors` and :func:`embed_texts`; tests pass fakes.
    """
    from miner.stages import topics_model as tm

    tick = progress or (lambda done, total: None)
    cfg = ws.config
    mode = mode or cfg.topics_mode
    seed, min_size = int(cfg["seed"]), int(cfg["topics_min_size"])
    if vectors is None or embed_fn is None:
        from miner.stages.embeddings import embed_texts, message_vectors

        if vectors is None:
            vectors = message_vectors(ws)
        if embed_fn is None:
            embed_fn = lambda texts: embed_texts(ws, texts)
    laps = _Laps()
    keys, x = list(vectors[0]), np.asarray(vectors[1], dtype=np.float32)
    db = ws.db
    info = {r[0]: (r[1] or "") for r in db.execute("SELECT key, text FROM messages")}
    all_keys = list(info)
    pos = {k: i for i, k in enumerate(keys)}
    norms = np.linalg.norm(x, axis=1) if len(x) else np.zeros(0)
    fit_keys = [k for k in all_keys if k in pos and norms[pos[k]] > 0
                and len(info[k].split(None, MIN_WORDS - 1)) >= MIN_WORDS]
    tick(1, 5)
    report: dict = {"mode": mode, "messages": len(all_keys), "fitted": len(fit_keys)}
    if len(fit_keys) < max(2 * min_size, 10):
        raise StageError(
            f"topics need at least {max(2 * min_size, 10)} messages with {MIN_WORDS}+ words of new "
            f"text and an embedding; this workspace has {len(fit_keys)}. Ingest more, or lower "
            "'topics_min_size' in miner.toml"
        )
    xf = x[[pos[k] for k in fit_keys]]
    laps("read")
    clean = tm.Cleaner(tm.stop_words(_boilerplate(db)))
    docs = [clean(info[k]) for k in fit_keys]
    laps("clean")
    # Words and phrases are counted once here; BERTopic's vectorizer reuses these counts.
    counts, vocab = tm.count_terms(docs, tm.min_df_for(len(docs)))
    vectorizer = tm.precounted_vectorizer(docs, counts, vocab) if vocab else None
    docs = [d + tm.DOC_END for d in docs]
    laps("count words")
    model = tm.build_model(mode, n_docs=len(docs), dim=xf.shape[1], min_size=min_size,
                           seed=seed, embed_fn=embed_fn, vocab=vocab or None,
                           vectorizer=vectorizer)
    laps("build (imports bertopic once per process)")
    # One BLAS/OpenMP thread: on a shared machine, PCA's and KMeans' thread pools fight for
    # the cores and were 5-8x slower (wall) than a single thread here.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=FIT_THREADS):
        topics, _ = model.fit_transform(docs, embeddings=xf)
    laps("fit (reduce, cluster, c-TF-IDF, MMR)")
    tick(2, 5)
    outliers_before = sum(1 for t in topics if t == -1) / len(topics)
    if mode == "quality" and outliers_before > 0:
        topics = model.reduce_outliers(docs, topics, strategy="embeddings", embeddings=xf,
                                       threshold=OUTLIER_THRESHOLD)
        model.update_topics(docs, topics=topics, vectorizer_model=model.vectorizer_model,
                            ctfidf_model=model.ctfidf_model,
                            representation_model=model.representation_model,
                            top_n_words=30)
    topics = np.asarray(topics)
    tick(3, 5)

    # Centroids, keywords and labels of this run's clusters, biggest first.
    found = sorted({int(t) for t in topics if t != -1},
                   key=lambda t: (-int((topics == t).sum()), t))
    cents = np.stack([_unit(xf[topics == t].mean(axis=0)) for t in found]) if found else \
        np.zeros((0, xf.shape[1]), np.float32)
    kws = []
    for t in found:
        words = [w for w, _ in (model.get_topic(t) or []) if w]
        kws.append(words)
    # Align to the previous run's topics; matched ones keep their ids.
    prev = db.execute("SELECT topic_id, centroid FROM topics WHERE centroid IS NOT NULL "
                      "ORDER BY topic_id").fetchall()
    prev = [(r[0], np.frombuffer(r[1], dtype=np.float32)) for r in prev]
    prev = [(i, c) for i, c in prev if c.shape[0] == xf.shape[1]]
    match = tm.align(np.stack([c for _, c in prev]) if prev else np.zeros((0, xf.shape[1])),
                     cents, ALIGN_THRESHOLD)
    next_id = (db.execute("SELECT max(topic_id) FROM topics").fetchone()[0] or -1) + 1
    ids: dict[int, int] = {}
    for row, t in enumerate(found):
        if row in match:
            ids[t] = prev[match[row]][0]
        else:
            ids[t] = next_id
            next_id += 1
    ids[-1] = -1
    laps("centroids, labels, alignment")
    tick(4, 5)

    run_id = (db.execute("SELECT max(id) FROM runs WHERE stage='topics'").fetchone()[0])
    with db:
        db.execute("UPDATE topics SET active = 0")
        for row, t in enumerate(found):
            label = tm.make_label(kws[row]) or f"topic {ids[t]}"
            db.execute(
                "INSERT INTO topics(topic_id, auto_label, label, keywords, centroid, model, active,"
                " run_id) VALUES (?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT(topic_id) DO UPDATE SET "
                "auto_label=excluded.auto_label, label=excluded.label, keywords=excluded.keywords,"
                " centroid=excluded.centroid, model=excluded.model, active=1, "
                "run_id=excluded.run_id",
                (ids[t], label, label, json.dumps(kws[row][:10], ensure_ascii=False),
                 cents[row].astype(np.float32).tobytes(), cfg.embedding_model, run_id))
        db.execute("DELETE FROM message_topics")
        row_of = {t: r for r, t in enumerate(found)}
        member = np.array([row_of.get(int(t), -1) for t in topics], dtype=np.int64)
        scores = np.einsum("ij,ij->i", xf, cents[np.maximum(member, 0)]) if len(found) else \
            np.zeros(len(fit_keys), np.float32)
        rows = [(k, ids[t], ids[t], float(sc) if m >= 0 else None)
                for k, t, m, sc in zip(fit_keys, topics.tolist(), member.tolist(),
                                       scores.tolist())]
        fitted = set(fit_keys)
        rows += [(k, -1, -1, None) for k in all_keys if k not in fitted]
        db.executemany("INSERT INTO message_topics(key, auto_topic, topic_id, score) "
                       "VALUES (?, ?, ?, ?)", rows)
        _materialise(db)
    laps("store")
    _save_model(ws, model, ids)
    laps("save")
    tick(5, 5)
    n_out = sum(1 for r in rows if r[1] == -1)
    report.update({
        "topics": len(found),
        "kept_ids": len(match),
        "new_ids": len(found) - len(match),
        "outlier_share": round(n_out / max(len(all_keys), 1), 4),
        "outlier_share_fitted_before_reduction": round(outliers_before, 4),
        "diversity": round(tm.topic_diversity(kws), 4),
        "seconds_after_embeddings": round(laps.wall_total, 2),
        "cpu_seconds_after_embeddings": round(laps.cpu_total, 2),
        "seconds_by_step": {k: round(v, 2) for k, v in laps.wall.items()},
        "cpu_seconds_by_step": {k: round(v, 2) for k, v in laps.cpu.items()},
    })
    return report


class _Laps:
    """Wall and CPU seconds of each step since the previous one (CPU: this process's, which
    is what a shared machine's load does not inflate much)."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._t0, self._c0 = time.monotonic(), time.process_time()
        self._t, self._c = self._t0, self._c0

    def __call__(self, step: str) -> None:
        t, c = time.monotonic(), time.process_time()
        self.wall[step], self.cpu[step] = t - self._t, c - self._c
        self._t, self._c = t, c

    @property
    def wall_total(self) -> float:
        return time.monotonic() - self._t0

    @property
    def cpu_total(self) -> float:
        return time.process_time() - self._c0


def quality_figures(ws) -> dict:
    """Topic diversity and NPMI coherence of the stored topics' top 10 keywords; NPMI counts
    co-occurrence in the messages' new text, tokenised the way the model saw it
    (:func:`topics_model.clean_doc`, so a phrase is found where the model found it)."""
    from miner.stages import topics_model as tm

    kws = [json.loads(r[0]) for r in ws.db.execute(
        "SELECT keywords FROM topics WHERE active = 1 AND merged_into IS NULL")]
    clean = tm.Cleaner(tm.stop_words(_boilerplate(ws.db)))
    docs = [clean(r[0] or "") for r in ws.db.execute("SELECT text FROM messages")]
    return {"diversity": round(tm.topic_diversity(kws), 4),
            "npmi": round(tm.npmi_coherence(kws, docs, analyzer=tm.analyze), 4)}


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return (v / n if n else v).astype(np.float32)


def _boilerplate(db) -> set[str]:
    from miner.stages.topics_model import boilerplate_words

    footers = [r[0] for r in db.execute("SELECT text FROM footers")]
    names = [r[0] for r in db.execute("SELECT name FROM people")]
    names += [r[0] for r in db.execute("SELECT DISTINCT from_name FROM messages")]
    lists = [r[0] for r in db.execute("SELECT DISTINCT list FROM messages WHERE list IS NOT NULL")]
    return boilerplate_words(footers, names, lists)


def _save_model(ws, model, ids: dict[int, int]) -> None:
    """BERTopic's safetensors serialisation (never pickle) plus our id map."""
    path = ws.path / MODEL_DIR
    try:
        model.save(str(path), serialization="safetensors", save_ctfidf=True,
                   save_embedding_model=False)
        (path / "miner_topic_ids.json").write_text(
            json.dumps({str(k): v for k, v in ids.items()}), encoding="utf-8")
    except Exception as e:  # noqa: BLE001 (the stored tables are the source of truth; the model is a bonus)
        log.warning("could not save the topic model to %s: %s", path, e)


# ------------------------------------------------------------------------ edits and aggregates

def _merge_map(db) -> tuple[dict[int, int], dict[int, str]]:
    parent: dict[int, int] = {}
    labels: dict[int, str] = {}
    for action, tid, others, label in db.execute(
            "SELECT action, topic_id, others, label FROM topic_edits ORDER BY id"):
        if action == "rename":
            labels[tid] = label
        else:
            parent.pop(tid, None)  # the latest edit wins: a merge target is a live topic
            for o in json.loads(others or "[]"):
                if o != tid:
                    parent[o] = tid

    def find(t: int) -> int:
        seen = set()
        while t in parent and t not in seen:
            seen.add(t)
            t = parent[t]
        return t

    return {o: find(o) for o in parent}, labels


def _materialise(db) -> None:
    """Replay edits on the model's assignment and recompute every aggregate table."""
    merged, labels = _merge_map(db)
    db.execute("UPDATE topics SET label = auto_label, merged_into = NULL")
    for tid, label in labels.items():
        db.execute("UPDATE topics SET label = ? WHERE topic_id = ?", (label, tid))
    db.execute("UPDATE message_topics SET topic_id = auto_topic")
    for o, target in merged.items():
        db.execute("UPDATE topics SET merged_into = ? WHERE topic_id = ?", (target, o))
        db.execute("UPDATE message_topics SET topic_id = ? WHERE auto_topic = ?", (target, o))
    db.execute("UPDATE topics SET size = 0, threads = 0, first_seen = NULL, last_seen = NULL")
    db.execute(
        "UPDATE topics SET (size, threads, first_seen, last_seen) = (SELECT count(*), "
        "count(DISTINCT m.thread_id), min(m.date), max(m.date) FROM message_topics mt "
        "JOIN messages m ON m.key = mt.key WHERE mt.topic_id = topics.topic_id)")
    db.execute("DELETE FROM thread_topics")
    db.execute(
        "INSERT INTO thread_topics(thread_id, topic_id, messages, share) "
        "SELECT m.thread_id, mt.topic_id, count(*), 0 FROM message_topics mt "
        "JOIN messages m ON m.key = mt.key WHERE mt.topic_id != -1 AND m.thread_id IS NOT NULL "
        "GROUP BY m.thread_id, mt.topic_id")
    db.execute(
        "UPDATE thread_topics SET share = CAST(messages AS REAL) / (SELECT sum(t2.messages) "
        "FROM thread_topics t2 WHERE t2.thread_id = thread_topics.thread_id)")
    db.execute("DELETE FROM topic_time")
    db.execute(
        "INSERT INTO topic_time(topic_id, period, list, messages, threads) "
        "SELECT mt.topic_id, substr(m.date, 1, 7), coalesce(m.list, ''), count(*), "
        "count(DISTINCT m.thread_id) FROM message_topics mt JOIN messages m ON m.key = mt.key "
        "WHERE m.date IS NOT NULL GROUP BY mt.topic_id, substr(m.date, 1, 7), coalesce(m.list, '')")


# --------------------------------------------------------------------- functions for app / CLI

_SUMMARY_SQL = ("SELECT topic_id, label, keywords, size, threads, first_seen, last_seen "
                "FROM topics")


def _summary(r) -> TopicSummary:
    return TopicSummary(topic_id=r[0], label=r[1], keywords=tuple(json.loads(r[2] or "[]")),
                        size=r[3], threads=r[4], first_seen=r[5], last_seen=r[6])


def _has_topics(db) -> bool:
    return db.execute("SELECT 1 FROM topics LIMIT 1").fetchone() is not None


def list_topics(ws) -> list[TopicSummary]:
    """The current topics (merged ones folded into their target), biggest first."""
    return [_summary(r) for r in ws.db.execute(
        _SUMMARY_SQL + " WHERE active = 1 AND merged_into IS NULL AND size > 0 "
        "ORDER BY size DESC, topic_id")]


def get_topic(ws, topic_id: int) -> TopicSummary:
    r = ws.db.execute(_SUMMARY_SQL + " WHERE topic_id = ?", (int(topic_id),)).fetchone()
    if r is None:
        hint = ("'miner topics' lists them" if _has_topics(ws.db)
                else "run 'miner analyze topics' first")
        raise NotFoundError(f"no topic {topic_id} in this workspace; {hint}")
    return _summary(r)


def topic_over_time(ws, topic_id: int) -> list[TopicPeriod]:
    """Messages and threads of a topic per month and list (an empty month has no row)."""
    get_topic(ws, topic_id)
    return [TopicPeriod(*r) for r in ws.db.execute(
        "SELECT period, list, messages, threads FROM topic_time WHERE topic_id = ? "
        "ORDER BY period, list", (int(topic_id),))]


def topics_by_list(ws) -> dict[str, dict[int, int]]:
    """``{list: {topic_id: messages}}``, outliers excluded."""
    out: dict[str, dict[int, int]] = {}
    for lst, tid, n in ws.db.execute(
            "SELECT list, topic_id, sum(messages) FROM topic_time WHERE topic_id != -1 "
            "GROUP BY list, topic_id"):
        out.setdefault(lst, {})[tid] = n
    return out


def thread_topics(ws, thread_id: str) -> list[tuple[int, float]]:
    """A thread's topics with their shares, biggest first."""
    return [(r[0], r[1]) for r in ws.db.execute(
        "SELECT topic_id, share FROM thread_topics WHERE thread_id = ? ORDER BY share DESC, "
        "topic_id", (thread_id,))]


def topic_messages(ws, topic_id: int, k: int = 10) -> list[TopicMessage]:
    """The ``k`` messages closest to the topic's centre."""
    get_topic(ws, topic_id)
    return [TopicMessage(*r) for r in ws.db.execute(
        "SELECT m.message_id, m.subject, m.date, coalesce(mt.score, 0) FROM message_topics mt "
        "JOIN messages m ON m.key = mt.key WHERE mt.topic_id = ? "
        "ORDER BY mt.score DESC, m.date LIMIT ?", (int(topic_id), int(k)))]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def rename_topic(ws, topic_id: int, label: str) -> TopicSummary:
    """Give a topic a facilitator's label; it survives re-runs (the id is stable)."""
    label = (label or "").strip()
    if not label:
        raise StageError("a topic label cannot be empty; pass the new label in quotes")
    get_topic(ws, topic_id)
    with ws.db:
        ws.db.execute("INSERT INTO topic_edits(action, topic_id, label, created) "
                      "VALUES ('rename', ?, ?, ?)", (int(topic_id), label, _now()))
        _materialise(ws.db)
    return get_topic(ws, topic_id)


def merge_topics(ws, ids: Sequence[int]) -> TopicSummary:
    """Merge topics into the first id given; replayed after every re-run."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    if len(ids) < 2:
        raise StageError("merging needs at least two topic ids, e.g. 'miner topics merge 3 7'")
    for t in ids:
        get_topic(ws, t)
    with ws.db:
        ws.db.execute("INSERT INTO topic_edits(action, topic_id, others, created) "
                      "VALUES ('merge', ?, ?, ?)", (ids[0], json.dumps(ids[1:]), _now()))
        _materialise(ws.db)
    return get_topic(ws, ids[0])
