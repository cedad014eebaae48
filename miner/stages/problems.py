"""Recurring problems: question messages grouped across threads and years.

A message poses a problem when one of its sentences does (:mod:`miner.stages.questions`).
Question messages are compared by a hybrid similarity: :data:`SEMANTIC_WEIGHT` times the cosine
of their message vectors (subject + the author's whole new text, reused from the embeddings
stage, never re-embedded) plus the rest times the cosine of their TF-IDF vectors (the same text).
They are grouped by average-linkage agglomeration on the k-nearest-neighbour graph (at most
:data:`MAX_PROBLEM_SIZE` questions per problem, which stops the chaining a one-domain archive
otherwise shows) under a similarity threshold tuned on the dev half of SemEval-2016 Task 3
(:data:`THRESHOLDS`). Each question's neighbours are exact up to :data:`EXACT_MAX` questions
(blocked products, no n x n matrix); beyond, its :data:`CANDIDATES` nearest in a space that
approximates the hybrid similarity (embedding + SVD of the TF-IDF rows; hnswlib from
:data:`ANN_MIN` questions) are scored exactly pair by pair, so the work grows near-linearly.
Sentences of the first :data:`SPACY_LIMIT` thread starters are split by spaCy, the rest by regex. Each group gets a canonical question
(the member most similar to all others), its threads, people, first and last dates, and best
answers. Problem ids are stable: a new run's groups inherit the id of the previous group they
share most question messages with (Jaccard >= :data:`KEEP_ID_OVERLAP`).
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from miner.errors import MissingDependencyError, NotFoundError

log = logging.getLogger(__name__)

REQUIRES = ("embeddings",)
WRITES = ("question_messages", "problems", "problem_threads", "problem_answers")

# Hybrid similarity above which two questions are the same problem (average linkage), tuned on
# the dev half of SemEval-2016 Task 3 train-part2 by tests/problems/test_semeval.py (printed
# there) with SEMANTIC_WEIGHT = 0.5.
SEMANTIC_WEIGHT = 0.5
THRESHOLDS = {"all-MiniLM-L6-v2": 0.175, "minilm-static-256-m2v": 0.35, "minilm-static-256": 0.35}
DEFAULT_THRESHOLD = 0.175
NEIGHBOURS = 20  # candidate merges: each question's top-k neighbours above the cut
MAX_PROBLEM_SIZE = 12  # question messages per problem at most (stops chaining in one-domain lists)
BLOCK = 256  # rows per blocked similarity product (memory ~ BLOCK x n floats)
EXACT_MAX = 4_000  # questions up to which each top-k is exact (O(n^2): 1.9-2.3 s CPU at 4k)
CANDIDATES = 120  # neighbours per question (in _search_space) whose hybrid similarity is computed
LEXICAL_DIMS = 128  # SVD components of the TF-IDF rows in that search space
ANN_MIN = 20_000  # from this many questions the candidates come from hnswlib, not exact products
PAIR_CHUNK = 32_768  # candidate pairs per vectorised row-wise product
KEEP_ID_OVERLAP = 0.3  # Jaccard of question messages needed to keep a previous problem's id
QUESTION_MIN = 0.5  # classifier probability for a sentence to count as a question
MAX_ANSWERS = 3
# Thread starters whose sentences spaCy's senter splits (the earliest ones, by date); later
# starters and all replies are split by regex (:func:`miner.stages.questions.split_sentences`)
# and every sentence is scored by the same classifier. The spaCy pass is thus bounded (~0.5 ms
# of CPU per starter measured, so <= ~10 s) and grows no further with the archive, while the
# splits of old messages, and so their question texts, stay the same as the archive grows.
SPACY_LIMIT = 20_000

_RE = re.compile(r"^\s*((re|aw|sv|fw|fwd|tr|wg|rif)\s*(\[\d+\])?\s*:\s*|\[[^\]]{1,40}\]\s*)+", re.IGNORECASE)
_THANKS = re.compile(r"\b(thanks?|thank you|thx|merci|gracias|obrigad|danke|worked|works now|"
                     r"solved|that did it|helpful)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Problem:
    problem_id: int
    question: str
    threads: tuple[str, ...]
    count: int
    people: int
    first_seen: str | None
    last_seen: str | None
    answers: tuple[str, ...]  # message ids of the best answers

    def as_dict(self) -> dict:
        return {"problem_id": self.problem_id, "question": self.question,
                "threads": list(self.threads), "count": self.count,
                "first_seen": self.first_seen, "last_seen": self.last_seen,
                "answers": list(self.answers)}


def clean_subject(subject: str) -> str:
    return _RE.sub("", subject or "").strip()


def threshold_for(model: str) -> float:
    return THRESHOLDS.get(model, DEFAULT_THRESHOLD)


def _features(vectors: np.ndarray, texts: Sequence[str] | None, weight: float):
    """(unit embedding rows, unit TF-IDF rows or None, effective semantic weight)."""
    v = np.asarray(vectors, dtype=np.float32)
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    if texts is None or weight >= 1.0:
        return v, None, 1.0
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        t = TfidfVectorizer(sublinear_tf=True, stop_words="english",
                            dtype=np.float32).fit_transform(list(texts)).tocsr()
    except ValueError:  # only stop words: nothing lexical to compare
        return v, None, 1.0
    return v, t, weight


def _block(v, t, w: float, rows, cols=None) -> np.ndarray:
    """Hybrid similarity of ``rows`` against ``cols`` (all rows when None), dense float32."""
    e = v[rows] @ (v.T if cols is None else v[cols].T)
    if t is None:
        return e
    lex = (t[rows] @ (t.T if cols is None else t[cols].T)).toarray()
    return (w * e + (1.0 - w) * lex).astype(np.float32)


def similarity(vectors: np.ndarray, texts: Sequence[str] | None = None,
               weight: float = SEMANTIC_WEIGHT) -> np.ndarray:
    """``weight`` x cosine of ``vectors`` + (1 - ``weight``) x cosine of the texts' TF-IDF
    (sublinear tf, English stop words, fitted on ``texts``); embeddings alone without texts.
    Dense n x n: for small sets only (a problem's members, tests); :func:`group` never builds it."""
    v, t, w = _features(vectors, texts, weight)
    return _block(v, t, w, np.arange(len(v)))


def _search_space(v, t, w: float, dims: int = LEXICAL_DIMS) -> np.ndarray:
    """Rows whose inner products approximate the hybrid similarity, for the candidate search:
    ``[sqrt(w) v, sqrt(1 - w) p]`` with ``p`` the unit rows of a ``dims``-component truncated SVD
    of the TF-IDF rows (the embeddings alone without texts). Searching this space, not the
    embeddings alone, keeps the pairs that are close mostly by their words: measured on gen_mbox
    5k (2,767 questions), the exact hybrid top-20 lay within the candidates for 84.1 % of the
    pairs from embedding neighbours alone (40 each), 99.9 % from this space (SVD 128, 60 each);
    on r-sig-meta-analysis (2,382 questions, one subject) 88.7 % with 60 each, 96.5 % with 120.
    The asked-before share there (tests/problems/test_asked_before.py) was 0.249 with 60, 0.272
    with 120, 0.260 on the exact top-k."""
    if t is None or w >= 1.0:
        return v
    dims = min(dims, min(t.shape) - 1)
    if dims < 1:
        return v
    from sklearn.decomposition import TruncatedSVD

    p = TruncatedSVD(dims, random_state=0).fit_transform(t).astype(np.float32)
    p /= np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-12)
    return np.hstack([np.sqrt(w) * v, np.sqrt(1.0 - w) * p]).astype(np.float32)


def _candidates(z: np.ndarray, c: int, block: int = BLOCK) -> np.ndarray:
    """(n, ``c``) indices of each row's ``c`` largest inner products with other rows of ``z``
    (unordered): exact blocked products (``block`` rows at a time, memory O(block x n)) below
    :data:`ANN_MIN` rows, the hnswlib index (approximate, O(n log n)) from there on."""
    n = len(z)
    if n >= ANN_MIN:
        return _ann_candidates(z, c)
    idx = np.empty((n, c), np.int64)
    for s in range(0, n, block):
        e = z[s:s + block] @ z.T
        r = np.arange(len(e))
        e[r, s + r] = -np.inf
        idx[s:s + len(e)] = np.argpartition(-e, c - 1, axis=1)[:, :c]
    return idx


def _ann_candidates(v: np.ndarray, c: int) -> np.ndarray:
    try:
        import hnswlib
    except ImportError:
        raise MissingDependencyError("hnswlib", "nlp") from None
    n = len(v)
    index = hnswlib.Index(space="ip", dim=v.shape[1])
    index.init_index(max_elements=n, ef_construction=100, M=16, random_seed=0)
    index.add_items(v, np.arange(n), num_threads=1)  # one thread: the same graph every run
    index.set_ef(max(2 * (c + 1), 100))
    lab, _ = index.knn_query(v, k=c + 1, num_threads=1)
    drop = lab == np.arange(n)[:, None]
    drop[~drop.any(axis=1), -1] = True  # a row that did not find itself drops its last
    return lab[~drop].reshape(n, c).astype(np.int64)


def _pair_sims(v, t, w: float, a: np.ndarray, b: np.ndarray,
               chunk: int = PAIR_CHUNK) -> np.ndarray:
    """Hybrid similarity of the row pairs (``a[i]``, ``b[i]``): row-wise dot products, vectorised
    ``chunk`` pairs at a time (the lexical part only on these pairs, never against all rows)."""
    out = np.empty(len(a), np.float32)
    for s in range(0, len(a), chunk):
        aa, bb = a[s:s + chunk], b[s:s + chunk]
        e = np.einsum("ij,ij->i", v[aa], v[bb])
        if t is not None:
            lex = np.asarray(t[aa].multiply(t[bb]).sum(axis=1), np.float32).ravel()
            e = w * e + (1.0 - w) * lex
        out[s:s + chunk] = e
    return out


def _exact_neighbours(v, t, w: float, k: int, block: int = BLOCK
                      ) -> tuple[np.ndarray, np.ndarray]:
    """The exact top-``k`` by hybrid similarity, best first: each block of rows against all
    rows (O(n^2) time, O(block x n) memory), for up to :data:`EXACT_MAX` rows."""
    n = len(v)
    idx = np.zeros((n, k), np.int64)
    sims = np.zeros((n, k), np.float32)
    for s in range(0, n, block):
        rows = np.arange(s, min(n, s + block))
        sim = _block(v, t, w, rows)
        sim[np.arange(len(rows)), rows] = -np.inf
        part = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        ps = np.take_along_axis(sim, part, 1)
        order = np.argsort(-ps, axis=1, kind="stable")
        idx[rows] = np.take_along_axis(part, order, 1)
        sims[rows] = np.take_along_axis(ps, order, 1)
    return idx, sims


def neighbours(v, t, w: float, k: int, *, candidates: int = CANDIDATES,
               exact: int = EXACT_MAX, block: int = BLOCK) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` most similar other rows of each row by hybrid similarity, (indices,
    similarities) best first, among candidate pairs: each row's ``candidates`` nearest rows in
    :func:`_search_space` (:func:`_candidates`), in both directions (a row is a candidate of its
    candidates), whose exact hybrid similarity is then computed pair by pair. Equal to the exact
    top-``k`` whenever that lies within the candidates (always without texts below
    :data:`ANN_MIN` rows). Memory and time O(n x candidates) apart from the candidate search.
    Up to ``exact`` rows, the exact top-``k`` (:func:`_exact_neighbours`)."""
    n = len(v)
    k = max(1, min(k, n - 1))
    if n <= exact:
        return _exact_neighbours(v, t, w, k, block)
    cand = _candidates(_search_space(v, t, w), max(1, min(max(k, candidates), n - 1)), block)
    rows = np.repeat(np.arange(n, dtype=np.int64), cand.shape[1])
    cols = cand.ravel()
    pair = np.unique(np.minimum(rows, cols) * n + np.maximum(rows, cols))
    a, b = pair // n, pair % n
    s = _pair_sims(v, t, w, a, b)
    src, dst, ss = np.concatenate([a, b]), np.concatenate([b, a]), np.concatenate([s, s])
    order = np.lexsort((dst, -ss, src))  # per row, most similar first
    src, dst, ss = src[order], dst[order], ss[order]
    rank = np.arange(len(src)) - np.searchsorted(src, src)
    keep = rank < k
    idx = np.zeros((n, k), np.int64)
    sims = np.full((n, k), -np.inf, np.float32)
    idx[src[keep], rank[keep]] = dst[keep]
    sims[src[keep], rank[keep]] = ss[keep]
    return idx, sims


def group(vectors: np.ndarray, threshold: float, texts: Sequence[str] | None = None,
          weight: float = SEMANTIC_WEIGHT, *, k: int = NEIGHBOURS,
          max_size: int | None = MAX_PROBLEM_SIZE, candidates: int = CANDIDATES,
          exact: int = EXACT_MAX) -> np.ndarray:
    """Cluster labels: average linkage over :func:`similarity`, cut at ``threshold``, on the
    k-nearest-neighbour graph (two groups are candidates for a merge only when one holds a
    top-``k`` neighbour of the other above the cut, :func:`neighbours`: exact up to ``exact``
    questions, among ``candidates`` per question beyond; their linkage is still
    the exact mean over all their pairs) and never past ``max_size`` members (a one-domain
    archive otherwise chains into giant groups). Memory O(n k), no n x n matrix; after a merge
    the linkage to all the new group's neighbours is one small product."""
    import heapq

    n = len(vectors)
    if n <= 1:
        return np.zeros(n, dtype=int)
    v, t, w = _features(vectors, texts, weight)
    idx, sims = neighbours(v, t, w, k, candidates=candidates, exact=exact)
    rows = np.repeat(np.arange(n, dtype=np.int64), idx.shape[1])
    keep = sims.ravel() >= threshold
    a, b, s = rows[keep], idx.ravel()[keep], sims.ravel()[keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    pair, first = np.unique(lo * n + hi, return_index=True)
    heap = [(-float(x), int(p // n), int(p % n)) for x, p in zip(s[first], pair)]
    heapq.heapify(heap)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    esum: dict[int, np.ndarray] = {}  # summed unit vectors of the merged groups (ids >= n)
    adj: dict[int, set[int]] = {i: set() for i in range(n)}
    for _, i, j in heap:
        adj[i].add(j)
        adj[j].add(i)

    def vsum(g: int) -> np.ndarray:
        return esum[g] if g >= n else v[g].astype(np.float64)

    nxt = n
    while heap:
        s_, a_, b_ = heapq.heappop(heap)
        if a_ not in members or b_ not in members:
            continue
        if -s_ < threshold:
            break
        if max_size and len(members[a_]) + len(members[b_]) > max_size:
            continue
        c, nxt = nxt, nxt + 1
        mc = members[c] = members.pop(a_) + members.pop(b_)
        esum[c] = vsum(a_) + vsum(b_)
        esum.pop(a_, None)
        esum.pop(b_, None)
        near = (adj.pop(a_) | adj.pop(b_)) - {a_, b_}
        for d in near:
            adj[d].discard(a_)
            adj[d].discard(b_)
        # groups too big to join c now never can (groups only grow): no link, no edge
        ds = sorted(d for d in near if not max_size or len(members[d]) + len(mc) <= max_size)
        adj[c] = set(ds)
        if not ds:
            continue
        for d in ds:
            adj[d].add(c)
        sizes = np.array([len(members[d]) for d in ds], np.float64)
        lk = np.stack([vsum(d) for d in ds]) @ esum[c]
        if t is not None:
            lk = w * lk + (1.0 - w) * _lexical_sums(t, mc, [members[d] for d in ds])
        for d, x in zip(ds, (lk / (sizes * len(mc))).tolist()):
            if x >= threshold:
                heapq.heappush(heap, (-x, d, c))
    labels = np.zeros(n, dtype=int)
    for lab, m in enumerate(sorted(members.values(), key=min)):
        labels[m] = lab
    return labels


def _row_entries(t, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``t.data`` of the stored entries of ``rows`` (CSR), and each row's count."""
    lo = t.indptr[rows]
    lens = t.indptr[rows + 1] - lo
    return np.repeat(lo - np.cumsum(lens) + lens, lens) + np.arange(lens.sum()), lens


def _lexical_sums(t, mc: list[int], others: list[list[int]]) -> np.ndarray:
    """Summed TF-IDF cosines of every row of ``mc`` with every row of each group in ``others``:
    the rows of ``mc`` summed into one dense vocabulary vector, dotted with the others' stored
    entries (numpy gathers over the CSR arrays: no sparse matrix is built per merge)."""
    at, _ = _row_entries(t, np.asarray(mc, np.int64))
    dense = np.bincount(t.indices[at], weights=t.data[at], minlength=t.shape[1])
    cols = np.concatenate([np.asarray(m, np.int64) for m in others])
    at, lens = _row_entries(t, cols)
    owner = np.repeat(np.repeat(np.arange(len(others)), [len(m) for m in others]), lens)
    return np.bincount(owner, weights=t.data[at] * dense[t.indices[at]], minlength=len(others))


def stable_ids(groups: Sequence[Sequence[str]], previous: Mapping[str, int], next_id: int,
               min_overlap: float = KEEP_ID_OVERLAP) -> list[int]:
    """Ids for ``groups`` (lists of question keys): each keeps the previous problem id it shares
    the largest Jaccard overlap with (at least ``min_overlap``; one-to-one, biggest overlaps
    first); the others get fresh ids from ``next_id`` on, never reusing an old one."""
    old: dict[int, set[str]] = {}
    for k, pid in previous.items():
        old.setdefault(pid, set()).add(k)
    cands = []
    for gi, g in enumerate(groups):
        gs = set(g)
        for pid in {previous[k] for k in gs if k in previous}:
            j = len(gs & old[pid]) / len(gs | old[pid])
            if j >= min_overlap:
                cands.append((-j, pid, gi))
    ids: list[int | None] = [None] * len(groups)
    used: set[int] = set()
    for _, pid, gi in sorted(cands):
        if ids[gi] is None and pid not in used:
            ids[gi] = pid
            used.add(pid)
    for gi in range(len(groups)):
        if ids[gi] is None:
            ids[gi] = next_id
            next_id += 1
    return [int(i) for i in ids]  # type: ignore[arg-type]


def central(vectors: np.ndarray, sim: np.ndarray | None = None) -> int:
    """Row of the member closest on average to all the others (the canonical phrasing);
    ``sim`` is their similarity matrix when already known."""
    if sim is None:
        sim = vectors @ vectors.T
    return int(np.argmax(sim.mean(axis=1)))


def same_problem(ws_or_vectors, a, b, *, threshold: float | None = None):
    """Are ``a`` and ``b`` the same recurring problem?

    With a workspace: ``a``/``b`` are message ids, keys or thread ids; returns a bool (they share
    a problem). With vectors (a mapping or array indexed by ``a``/``b``): returns the cosine score
    when ``threshold`` is None, else the decision ``score >= threshold``."""
    if hasattr(ws_or_vectors, "db"):
        pa, pb = _problems_of(ws_or_vectors, a), _problems_of(ws_or_vectors, b)
        return bool(pa & pb)
    va = np.asarray(ws_or_vectors[a], dtype=np.float32)
    vb = np.asarray(ws_or_vectors[b], dtype=np.float32)
    score = float(va @ vb / ((np.linalg.norm(va) * np.linalg.norm(vb)) or 1.0))
    return score if threshold is None else score >= threshold


def _problems_of(ws, ref: str) -> set[int]:
    ref = str(ref).strip().strip("<>")
    rows = ws.db.execute(
        "SELECT pt.problem_id FROM problem_threads pt WHERE pt.thread_id = ? UNION "
        "SELECT pt.problem_id FROM messages m JOIN problem_threads pt ON pt.thread_id = m.thread_id "
        "WHERE m.message_id = ? OR m.key = ? OR m.key = ?", (ref, ref, ref, f"<{ref}>"))
    return {r[0] for r in rows}


# ------------------------------------------------------------------------------------ the stage

def find_questions(rows: Sequence[tuple], clf, *, spacy_limit: int = SPACY_LIMIT) -> list[tuple]:
    """``rows`` = (key, subject, text, starter), oldest first; returns (key, score, question
    text, starter) for messages that pose a problem. Sentences of the first ``spacy_limit``
    starters are split by spaCy, the others by regex (:data:`SPACY_LIMIT`; 0: regex only)."""
    from miner.stages import questions as q

    texts = [r[2] or "" for r in rows]
    sents: list[list[str]] = [q.split_sentences(t) for t in texts]
    starters = [i for i, r in enumerate(rows) if r[3]][:max(0, spacy_limit)]
    if starters:
        for i, ss in zip(starters, q.spacy_sentences([texts[i] for i in starters])):
            sents[i] = ss
    flat = [s for ss in sents for s in ss]
    probs = clf.predict_proba(flat) if flat else np.zeros(0)
    out, at = [], 0
    for r, ss in zip(rows, sents):
        p = probs[at:at + len(ss)]
        at += len(ss)
        if not len(p) or p.max() < QUESTION_MIN:
            continue
        best = [ss[i] for i in np.argsort(-p)[:2] if p[i] >= QUESTION_MIN]
        best = [s for s in ss if s in best]  # keep the author's order
        text = (clean_subject(r[1]) + ". " + " ".join(best)).strip(". ")
        out.append((r[0], float(p.max()), text[:1000], int(r[3])))
    return out


def run(ws, progress: Callable[[int, int], None] | None = None, *,
        vectors: tuple[Sequence[str], np.ndarray] | None = None,
        embed_fn: Callable[[list[str]], np.ndarray] | None = None,
        classifier=None, threshold: float | None = None) -> dict:
    """Detect question messages, group them into recurring problems and store them.

    ``vectors`` (keys, matrix) defaults to the embeddings stage's :func:`message_vectors`;
    ``embed_fn`` embeds the few question messages without a stored vector. Tests pass fakes."""
    from miner.stages.questions import QuestionClassifier

    tick = progress or (lambda done, total: None)
    db = ws.db
    if vectors is None or embed_fn is None or threshold is None:
        from miner.stages.embeddings import embed_texts, message_vectors, model_name

        embed_fn = embed_fn or (lambda texts: embed_texts(ws, texts))
        vectors = vectors if vectors is not None else message_vectors(ws)
        threshold = threshold if threshold is not None else threshold_for(model_name(ws))
    clf = classifier or QuestionClassifier.load()
    rows = db.execute(
        "SELECT m.key, m.subject, m.text, (t.root_key = m.key OR m.parent_key IS NULL) "
        "FROM messages m LEFT JOIN threads t ON t.thread_id = m.thread_id "
        "WHERE length(m.text) > 0 ORDER BY m.date, m.id").fetchall()
    tick(1, 4)
    qs = find_questions([tuple(r) for r in rows], clf)
    tick(2, 4)
    full = {r[0]: (clean_subject(r[1]) + ". " + (r[2] or "")[:4000]).strip(". ") for r in rows}
    texts = [full[q[0]] for q in qs]
    vecs = _question_vectors([q[0] for q in qs], texts, vectors, embed_fn)
    labels = group(vecs, threshold, texts)
    tick(3, 4)
    meta = {r[0]: r[1:] for r in db.execute(
        "SELECT key, thread_id, person_id, date, message_id FROM messages")}
    by_label: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        by_label.setdefault(int(lab), []).append(i)
    groups = sorted(by_label.values(), key=lambda m: (
        -len({meta[qs[i][0]][0] for i in m}), min(meta[qs[i][0]][2] or "" for i in m),
        min(qs[i][0] for i in m)))
    previous = dict(db.execute("SELECT key, problem_id FROM question_messages "
                               "WHERE problem_id IS NOT NULL").fetchall())
    next_id = (db.execute("SELECT max(problem_id) FROM problems").fetchone()[0] or 0) + 1
    pids = stable_ids([[qs[i][0] for i in m] for m in groups], previous, next_id)
    experts = _expert_scores(db)
    with db:
        for t in WRITES:
            db.execute(f"DELETE FROM {t}")
        for pid, members in zip(pids, groups):
            keys = [qs[i][0] for i in members]
            canon = keys[central(vecs[members], similarity(vecs[members],
                                                           [texts[i] for i in members]))]
            threads = sorted({meta[k][0] for k in keys if meta[k][0]})
            dates = sorted(meta[k][2] for k in keys if meta[k][2])
            db.execute("INSERT INTO problems VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (
                pid, qs[members[keys.index(canon)]][2], canon, len(threads), len(keys),
                len({meta[k][1] for k in keys if meta[k][1] is not None}),
                dates[0] if dates else None, dates[-1] if dates else None))
            db.executemany("INSERT INTO problem_threads VALUES (?, ?)",
                           [(pid, t) for t in threads])
            askers = {meta[k][1] for k in keys}
            db.executemany("INSERT INTO problem_answers VALUES (?, ?, ?, ?)",
                           [(pid, k, s, json.dumps(why)) for k, s, why in
                            best_answers(db, threads, askers, experts)])
            db.executemany("INSERT INTO question_messages VALUES (?, ?, ?, ?, ?)",
                           [(qs[i][0], qs[i][1], qs[i][2], qs[i][3], pid) for i in members])
    tick(4, 4)
    sizes = [len({meta[qs[i][0]][0] for i in m}) for m in groups]
    return {"question_messages": len(qs), "problems": len(groups),
            "recurring": sum(1 for s in sizes if s >= 2),
            "mean_threads_per_problem": round(float(np.mean(sizes)), 3) if sizes else 0.0,
            "largest": max(sizes) if sizes else 0, "threshold": threshold,
            "kept_ids": sum(1 for p in pids if p < next_id)}


def _question_vectors(keys: Sequence[str], texts: Sequence[str],
                      vectors: tuple[Sequence[str], np.ndarray],
                      embed_fn: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """The stored message vectors of ``keys``; the missing ones embedded from ``texts``."""
    pos = {k: i for i, k in enumerate(vectors[0])}
    mat = np.asarray(vectors[1], dtype=np.float32)
    missing = [i for i, k in enumerate(keys) if k not in pos]
    dim = mat.shape[1] if mat.ndim == 2 and mat.shape[0] else None
    extra = np.asarray(embed_fn([texts[i] for i in missing]), dtype=np.float32) if missing \
        else None
    if dim is None:
        dim = extra.shape[1] if extra is not None else 1
    out = np.zeros((len(keys), dim), dtype=np.float32)
    for i, k in enumerate(keys):
        if k in pos:
            out[i] = mat[pos[k]]
    for j, i in enumerate(missing):
        out[i] = extra[j]  # type: ignore[index]
    return out


def _expert_scores(db) -> Mapping[int, float]:
    """person_id -> score in [0, 1] from the experts stage's table, if it exists (optional)."""
    try:
        rows = db.execute("SELECT person_id, max(score) FROM experts GROUP BY person_id").fetchall()
    except Exception:  # noqa: BLE001  (no experts stage yet, or another schema)
        return {}
    top = max((r[1] or 0 for r in rows), default=0) or 1.0
    return {r[0]: (r[1] or 0) / top for r in rows}


def best_answers(db, threads: Sequence[str], askers: set, experts: Mapping[int, float]
                 ) -> list[tuple[str, float, list[str]]]:
    """Replies in ``threads`` that the asker thanked, others quoted, or experts wrote."""
    scored = []
    for tid in threads:
        msgs = db.execute("SELECT key, parent_key, person_id, text, quotes_key FROM messages "
                          "WHERE thread_id = ? ORDER BY date, id", (tid,)).fetchall()
        for key, _parent, person, _text, _q in msgs:
            if person in askers:
                continue
            children = [m for m in msgs if m[1] == key or m[4] == key]
            why, score = [], 0.0
            if any(c[2] in askers and _THANKS.search(c[3] or "") for c in children):
                why.append("thanked")
                score += 2.0
            quoted = sum(1 for c in children if c[2] not in askers and c[2] != person)
            if quoted:
                why.append("quoted")
                score += min(quoted, 3) * 0.5
            if experts.get(person, 0) >= 0.5:
                why.append("expert")
                score += experts[person]
            if score > 0:
                scored.append((key, round(score, 3), why))
    scored.sort(key=lambda x: -x[1])
    return scored[:MAX_ANSWERS]


# --------------------------------------------------------------------- functions for app / CLI

def list_problems(ws, *, min_threads: int = 2) -> list[Problem]:
    """Problems asked in at least ``min_threads`` threads, most asked first."""
    out = []
    for pid, question, count, people, first, last in ws.db.execute(
            "SELECT problem_id, question, count, people, first_seen, last_seen FROM problems "
            "WHERE count >= ? ORDER BY count DESC, problem_id", (min_threads,)).fetchall():
        threads = tuple(r[0] for r in ws.db.execute(
            "SELECT thread_id FROM problem_threads WHERE problem_id = ? ORDER BY thread_id",
            (pid,)))
        answers = tuple(r[0] for r in ws.db.execute(
            "SELECT m.message_id FROM problem_answers a JOIN messages m ON m.key = a.key "
            "WHERE a.problem_id = ? ORDER BY a.score DESC", (pid,)))
        out.append(Problem(pid, question, threads, count, people, first, last, answers))
    return out


def get_problem(ws, problem_id: int) -> Problem:
    for p in list_problems(ws, min_threads=0):
        if p.problem_id == int(problem_id):
            return p
    raise NotFoundError(f"no problem {problem_id}; 'miner problems' lists them")
