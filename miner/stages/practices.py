"""Good practices, lessons, recommendations, experiences, challenges and resources, found
sentence by sentence in the author's new text and turned into cited lesson cards.

Each mention becomes a card: the statement (the sentence, widened to its neighbours when it
cannot stand alone, always a verbatim span of the new text), its kind, the context (the thread
subject and the question it answers), places and organisations (spaCy NER + a country
gazetteer), the contributor, date, topic and message. Near-duplicate cards of the same kind are
merged, keeping every source. Incremental: only messages not yet read are classified.

    >>> run(ws, progress=None)                       # doctest: +SKIP
    >>> list_practices(ws, kind="lesson")[0].text    # doctest: +SKIP
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from miner.stages.gazetteer import country_of, find_countries
from miner.stages.practice_rules import KINDS, flat, rule_label, split_sentences, usable

log = logging.getLogger(__name__)

REQUIRES: tuple[str, ...] = ()
WRITES = ("practice_seen", "practice_cards", "practice_sources")

MERGE_COSINE = 0.9
_NEEDS_PREVIOUS = re.compile(r"^(?:this|that|these|those|it|they|so|but|also|and|then|however|"
                             r"thus|therefore|in (?:that|this) case)\b", re.I)
_BATCH = 400
# Not statements of a mention whatever the detector says: questions (the guide labels them none),
# supercite-style quotes ("RWH> ..."), and contact lines of signatures.
_SKIP = re.compile(r"\?[\s\"')\]]*$|^\s*[A-Za-z]{1,6}>|\b(?:e-?mail|phone|fax|tel)\s*:|"
                   r"\b\w+ at \w+\.(?:edu|com|org|ac|au|uk|de)\b", re.I)


@dataclass(frozen=True, slots=True)
class PracticeCard:
    card_id: int
    kind: str
    text: str
    message_id: str
    author_name: str
    person_id: int | None
    date: str | None
    thread_id: str | None
    context: str
    places: tuple[str, ...]
    organisations: tuple[str, ...]
    topic_id: int | None
    score: float
    sources: tuple[str, ...]

    def as_dict(self) -> dict:
        """Exactly the ``miner practices --json`` shape of ``../shared/CLI.md``."""
        return {"kind": self.kind, "text": self.text, "message_id": self.message_id,
                "author_name": self.author_name, "places": list(self.places),
                "organisations": list(self.organisations), "topic_id": self.topic_id,
                "sources": list(self.sources)}

# --------------------------------------------------------------------------- detection

class RuleDetector:
    """The rules-only detector (the baseline, and the fallback when no model is shipped)."""

    name = "rules"

    def predict_scored(self, texts: list[str]) -> list[tuple[str, float]]:
        return [(rule_label(t), 1.0) for t in texts]


def default_detector(ws=None):
    """The shipped classifier when the workspace embeds with its model (MiniLM: quality mode),
    else the rules.

    In fast mode (static embeddings) the rules are used: a classifier refitted on the static
    vectors scored 0.411 macro F1 on the held-out quarter against the rules' 0.412 (measured with
    ``train_default(load_embedder("static"))``), and running MiniLM on every sentence would undo
    the point of fast mode (about 8 ms CPU a sentence)."""
    from miner.stages.practice_model import MODEL_EMBEDDER, PracticeClassifier

    if ws is not None:
        from miner.stages.embeddings import model_name

        name = model_name(ws)
        if name != MODEL_EMBEDDER:
            log.info("practices: the workspace embeds with %s, the classifier needs %s; "
                     "using the rules", name, MODEL_EMBEDDER)
            return RuleDetector()
    injected = getattr(ws, "embedder", None) if ws is not None else None
    return PracticeClassifier.load(embedder=injected)


def statement_span(sents: list[tuple[int, int, str]], i: int) -> tuple[int, int]:
    """Character span of sentence ``i`` widened so it stands alone: the previous sentence when it
    opens with an anaphor ("This", "It", "But"...), the next one when it ends with a colon or
    is very short."""
    a, b, s = sents[i]
    if i > 0 and _NEEDS_PREVIOUS.match(s.strip()):
        a = sents[i - 1][0]
    if i + 1 < len(sents) and (s.rstrip().endswith(":") or len(s.split()) < 6):
        b = sents[i + 1][1]
    return a, b


def _candidates(text: str) -> tuple[list[tuple[int, int, str]], list[int]]:
    """A message's sentences and the indexes of those worth classifying."""
    sents = split_sentences(text)
    idx = [i for i, (_, _, s) in enumerate(sents)
           if usable(s) and not s.lstrip().startswith(">") and not _SKIP.search(flat(s))]
    return sents, idx


def mentions_many(texts: list[str], detector) -> list[list[tuple[str, float, int, int]]]:
    """``(kind, score, start, end)`` of each mention in each text, with one detector call for
    all of them (the classifier embeds the sentences in one batch: one call per message made
    quality mode pay the model's per-call overhead on every message)."""
    cands = [_candidates(t) for t in texts]
    flat_sents = [sents[i][2] for sents, idx in cands for i in idx]
    pred = iter(detector.predict_scored(flat_sents) if flat_sents else [])
    out: list[list[tuple[str, float, int, int]]] = []
    for sents, idx in cands:
        found = []
        for i in idx:
            kind, score = next(pred)
            if kind in KINDS:
                a, b = statement_span(sents, i)
                found.append((kind, score, a, b))
        out.append(found)
    return out


def mentions(text: str, detector) -> list[tuple[str, float, int, int]]:
    """``(kind, score, start, end)`` of each mention in one message's new text."""
    return mentions_many([text], detector)[0]


# --------------------------------------------------------------------------- the stage

def _question_of(ws, thread_id: str | None, cache: dict) -> str:
    if not thread_id:
        return ""
    if thread_id not in cache:
        r = ws.db.execute("SELECT t.subject, m.text FROM threads t LEFT JOIN messages m ON "
                          "m.key = t.root_key WHERE t.thread_id = ?", (thread_id,)).fetchone()
        subject, root = (r[0] or "", r[1] or "") if r else ("", "")
        q = next((flat(s) for _, _, s in split_sentences(root) if s.rstrip().endswith("?")), "")
        cache[thread_id] = subject + (f" — {q}" if q and q not in subject else "")
    return cache[thread_id]


def _topics(ws) -> dict[str, int]:
    try:
        return dict(ws.db.execute("SELECT key, topic_id FROM message_topics WHERE topic_id >= 0"))
    except Exception:  # topics not run: topic fields stay null
        return {}


def run(ws, progress: Callable[[int, int], None] | None = None, *, detector=None,
        ner: Callable | None = None) -> dict:
    """Classify the sentences of messages not read yet, add their cards, merge duplicates.

    ``detector`` (``predict_scored(texts)``) and ``ner`` (texts -> [(places, orgs)]) are
    swappable for tests; defaults are the shipped classifier and spaCy."""
    tick = progress or (lambda done, total: None)
    det = detector or default_detector(ws)
    if ner is None:
        from miner.nlp.spacy_ner import entities as ner
    todo = ws.db.execute(
        "SELECT m.key, m.message_id, m.text, m.person_id, m.from_name, m.date, m.thread_id "
        "FROM messages m WHERE m.key NOT IN (SELECT key FROM practice_seen) ORDER BY m.date"
    ).fetchall()
    topics = _topics(ws)
    qcache: dict = {}
    added = 0
    first_new = _folded_to(ws) + 1
    for start in range(0, len(todo), _BATCH):
        batch = todo[start:start + _BATCH]
        cards = []
        found = mentions_many([r[2] or "" for r in batch], det)
        for (key, mid, text, pid, author, date, tid), ms in zip(batch, found):
            for kind, score, a, b in ms:
                cards.append((kind, text[a:b], key, mid, pid, author, date, tid, score))
        ents = ner([flat(c[1]) for c in cards]) if cards else []
        rows = []
        for (kind, stmt, key, mid, pid, author, date, tid, score), (places, orgs) in zip(
                cards, ents):
            places = list(places)
            for c in find_countries(stmt):
                if c not in places:
                    places.append(c)
            rows.append((kind, stmt, key, mid, pid, author, date, tid,
                         _question_of(ws, tid, qcache), json.dumps(places),
                         json.dumps(list(orgs)), topics.get(key), score))
        with ws.db:
            before = ws.db.execute("SELECT coalesce(max(card_id), 0) FROM practice_cards"
                                   ).fetchone()[0]
            ws.db.executemany(
                "INSERT INTO practice_cards(kind, text, message_key, message_id, person_id, "
                "author_name, date, thread_id, context, places, organisations, topic_id, "
                "score) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            ws.db.execute("INSERT INTO practice_sources(card_id, message_id) SELECT card_id, "
                          "message_id FROM practice_cards WHERE card_id > ? ORDER BY card_id",
                          (before,))
            ws.db.executemany("INSERT OR IGNORE INTO practice_seen(key) VALUES (?)",
                              [(r[0],) for r in batch])
        added += len(rows)
        tick(min(start + _BATCH, len(todo)), len(todo))
    newest = ws.db.execute("SELECT coalesce(max(card_id), 0) FROM practice_cards").fetchone()[0]
    # also folds the cards of an earlier run killed before its fold (they are past the mark)
    merged = merge_duplicates(ws, new_from=first_new, folded_to=newest) if newest >= first_new else 0
    return {"messages": len(todo), "cards_added": added, "merged": merged,
            "detector": getattr(det, "name", None) or type(det).__name__}


_FOLDED = "practices_folded_to"  # settings row: the last card id the fold has seen


def _folded_to(ws) -> int:
    """The last card id folded by :func:`merge_duplicates`. A workspace from before this mark
    gets the current last card (its cards were folded by the runs that made them), recorded so
    that a run killed before its own fold is folded by the next run."""
    row = ws.db.execute("SELECT value FROM settings WHERE name = ?", (_FOLDED,)).fetchone()
    if row is not None:
        return int(row[0])
    last = ws.db.execute("SELECT coalesce(max(card_id), 0) FROM practice_cards").fetchone()[0]
    with ws.db:
        ws.db.execute("INSERT OR REPLACE INTO settings(name, value) VALUES (?, ?)",
                      (_FOLDED, str(last)))
    return int(last)


_EXACT_PAIRS = 40_000_000  # new x all cards of a kind above which neighbours come from hnswlib
_NEIGHBOURS = 16


def _near_earlier(V: np.ndarray, new: np.ndarray, threshold: float) -> list[np.ndarray]:
    """For each row index in ``new``, the row indices of ``V`` with cosine >= ``threshold``.

    Exact (blocked matrix products) while ``len(new) * len(V)`` is small; above that the
    ``_NEIGHBOURS`` nearest from an hnswlib index (linear-logarithmic instead of quadratic; a
    card with more near-duplicates than that merges into one of them all the same)."""
    if len(new) * len(V) <= _EXACT_PAIRS:
        out = []
        for i in range(0, len(new), 1024):
            S = V[new[i:i + 1024]] @ V.T
            out += [np.flatnonzero(row >= threshold) for row in S]
        return out
    import hnswlib

    index = hnswlib.Index(space="ip", dim=V.shape[1])
    index.init_index(max_elements=len(V), ef_construction=100, M=16, random_seed=42)
    index.add_items(V, np.arange(len(V)))
    index.set_ef(64)
    k = min(_NEIGHBOURS, len(V))
    labels, dist = index.knn_query(V[new], k=k)
    return [lab[(1.0 - d) >= threshold] for lab, d in zip(labels, dist)]


def merge_duplicates(ws, threshold: float = MERGE_COSINE, embedder=None, *,
                     new_from: int = 0, folded_to: int | None = None) -> int:
    """Fold near-duplicate cards of the same kind (cosine of their statements >= threshold,
    or equal text) into the earliest kept one, keeping all sources. Returns cards removed.

    Only cards with ``card_id >= new_from`` are folded (the stage passes the first card of its
    run: earlier cards were folded by earlier runs); they may fold into any older card. With
    ``folded_to``, the fold records that cards up to that id are folded, in its transaction."""
    mark = ([("INSERT OR REPLACE INTO settings(name, value) VALUES (?, ?)",
              (_FOLDED, str(folded_to)))] if folded_to is not None else [])
    rows = ws.db.execute("SELECT card_id, kind, text FROM practice_cards ORDER BY date, card_id"
                         ).fetchall()
    if len(rows) < 2:
        with ws.db:
            for sql, args in mark:
                ws.db.execute(sql, args)
        return 0
    texts = [flat(r[2]).lower() for r in rows]
    try:
        from miner.stages.embeddings import embed_texts

        V = embed_texts(ws, texts, embedder=embedder) if embedder or getattr(
            ws, "embedder", None) else embed_texts(ws, texts)
        V = np.asarray(V, dtype=np.float32)
    except Exception as e:  # no embedder available: exact duplicates only
        log.info("practices: merging exact duplicates only (%s)", e)
        V = None
    keep_of: dict[int, int] = {}
    by_kind: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_kind.setdefault(r[1], []).append(i)
    for idx in by_kind.values():
        new = [p for p, i in enumerate(idx) if rows[i][0] >= new_from]
        if not new:
            continue
        near = (_near_earlier(V[idx], np.asarray(new), threshold) if V is not None
                else [np.zeros(0, int)] * len(new))
        cand = dict(zip(new, near))
        first_text: dict[str, int] = {}
        kept: set[int] = set()
        for p, i in enumerate(idx):
            target = None
            if p in cand:
                same = [q for q in cand[p].tolist() if q < p and q in kept]
                t = first_text.get(texts[i])
                if t is not None:
                    same.append(t)
                target = min(same) if same else None
            if target is None:
                kept.add(p)
                first_text.setdefault(texts[i], p)
            else:
                keep_of[rows[i][0]] = rows[idx[target]][0]
    with ws.db:
        ws.db.executemany("UPDATE OR IGNORE practice_sources SET card_id = ? WHERE card_id = ?",
                          [(keep, cid) for cid, keep in keep_of.items()])
        ws.db.executemany("DELETE FROM practice_sources WHERE card_id = ?",
                          [(cid,) for cid in keep_of])
        ws.db.executemany("DELETE FROM practice_cards WHERE card_id = ?",
                          [(cid,) for cid in keep_of])
        for sql, args in mark:
            ws.db.execute(sql, args)
    return len(keep_of)


# --------------------------------------------------------------------------- reading

def _filters(ws, kind: str | None, topic: int | None, country: str | None,
             person: str | int | None) -> tuple[str, list]:
    """The FROM/WHERE of the card queries: every filter in SQL (the country through the places'
    JSON and the contributor's country), so a page of cards is read, never all of them."""
    from miner.errors import NotFoundError

    if kind is not None and kind not in KINDS:
        raise NotFoundError(f"unknown practice kind {kind!r}; the kinds are: {', '.join(KINDS)}")
    sql = " FROM practice_cards c LEFT JOIN people p ON p.person_id = c.person_id"
    where, args = [], []
    if kind:
        where.append("c.kind = ?")
        args.append(kind)
    if topic is not None:
        where.append("c.topic_id = ?")
        args.append(int(topic))
    if person is not None:
        if str(person).isdigit():
            where.append("c.person_id = ?")
            args.append(int(person))
        else:
            where.append("(lower(p.name) LIKE ? OR lower(c.author_name) LIKE ?)")
            args += [f"%{str(person).lower()}%"] * 2
    if country:
        want = (country_of(country) or country).lower()
        named = [r[0] for r in ws.db.execute(
            "SELECT DISTINCT j.value FROM practice_cards c, json_each(c.places) j "
            "WHERE c.places != '[]'") if (country_of(r[0]) or r[0]).lower() == want]
        marks = ",".join("?" * len(named))
        where.append(f"(lower(p.country) = ? OR EXISTS (SELECT 1 FROM json_each(c.places) j "
                     f"WHERE j.value IN ({marks})))" if named else "lower(p.country) = ?")
        args += [want, *named]
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql, args


def count_practices(ws, kind: str | None = None, topic: int | None = None,
                    country: str | None = None, person: str | int | None = None) -> int:
    """How many cards :func:`list_practices` returns with these filters (without reading them)."""
    sql, args = _filters(ws, kind, topic, country, person)
    return int(ws.db.execute("SELECT count(*)" + sql, args).fetchone()[0])


def list_practices(ws, kind: str | None = None, topic: int | None = None,
                   country: str | None = None, person: str | int | None = None, *,
                   limit: int | None = None, offset: int = 0) -> list[PracticeCard]:
    """Lesson cards, newest first, filtered by kind, topic id, country (named in the card, or
    the contributor's country) and person (id, or part of the name); ``limit``/``offset`` give
    one page of them."""
    where, args = _filters(ws, kind, topic, country, person)
    sql = ("SELECT c.card_id, c.kind, c.text, c.message_id, c.author_name, c.person_id, c.date, "
           "c.thread_id, c.context, c.places, c.organisations, c.topic_id, c.score, p.name, "
           "p.country" + where + " ORDER BY c.date DESC, c.card_id")
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        args = [*args, int(limit), int(offset)]
    rows = ws.db.execute(sql, args).fetchall()
    sources: dict[int, list[str]] = {}
    ids = [r[0] for r in rows]
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        for cid, mid in ws.db.execute(
                f"SELECT card_id, message_id FROM practice_sources WHERE card_id IN "
                f"({','.join('?' * len(part))}) ORDER BY rowid", part):
            sources.setdefault(cid, []).append(mid)
    return [PracticeCard(r[0], r[1], r[2], r[3], r[13] or r[4] or "", r[5], r[6], r[7],
                         r[8] or "", tuple(json.loads(r[9] or "[]")),
                         tuple(json.loads(r[10] or "[]")), r[11], float(r[12] or 0.0),
                         tuple(sources.get(r[0], ())) or (r[3],)) for r in rows]


def evaluate(gold: list[str], texts: list[str], detector) -> dict:
    """Per-kind precision/recall/F1 of ``detector`` on labelled sentences."""
    from miner.stages.practice_model import prf

    return prf(gold, [k for k, _ in detector.predict_scored(texts)])


__all__ = ["PracticeCard", "RuleDetector", "count_practices", "list_practices", "mentions", "merge_duplicates",
           "run", "statement_span", "evaluate", "np"]
