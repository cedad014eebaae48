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
    """The shipped classifier, embedding through the workspace's cache when possible."""
    from miner.stages.practice_model import PracticeClassifier

    injected = getattr(ws, "embedder", None) if ws is not None else None
    clf = PracticeClassifier.load()
    if injected is not None and getattr(injected, "name", None) != clf.embedder_name_:
        log.info("practices: workspace embedder %s differs from the model's; using rules",
                 injected.name)
        return RuleDetector()
    return clf


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


def mentions(text: str, detector) -> list[tuple[str, float, int, int]]:
    """``(kind, score, start, end)`` of each mention in one message's new text."""
    sents = split_sentences(text)
    idx = [i for i, (_, _, s) in enumerate(sents)
           if usable(s) and not s.lstrip().startswith(">") and not _SKIP.search(flat(s))]
    if not idx:
        return []
    pred = detector.predict_scored([sents[i][2] for i in idx])
    out = []
    for i, (kind, score) in zip(idx, pred):
        if kind in KINDS:
            a, b = statement_span(sents, i)
            out.append((kind, score, a, b))
    return out


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
    for start in range(0, len(todo), _BATCH):
        batch = todo[start:start + _BATCH]
        cards = []
        for key, mid, text, pid, author, date, tid in batch:
            for kind, score, a, b in mentions(text or "", det):
                cards.append((kind, text[a:b], key, mid, pid, author, date, tid, score))
        ents = ner([flat(c[1]) for c in cards]) if cards else []
        with ws.db:
            for (kind, stmt, key, mid, pid, author, date, tid, score), (places, orgs) in zip(
                    cards, ents):
                places = list(places)
                for c in find_countries(stmt):
                    if c not in places:
                        places.append(c)
                cur = ws.db.execute(
                    "INSERT INTO practice_cards(kind, text, message_key, message_id, person_id, "
                    "author_name, date, thread_id, context, places, organisations, topic_id, "
                    "score) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (kind, stmt, key, mid, pid, author, date, tid, _question_of(ws, tid, qcache),
                     json.dumps(places), json.dumps(list(orgs)), topics.get(key), score))
                ws.db.execute("INSERT INTO practice_sources(card_id, message_id) VALUES (?,?)",
                              (cur.lastrowid, mid))
                added += 1
            ws.db.executemany("INSERT OR IGNORE INTO practice_seen(key) VALUES (?)",
                              [(r[0],) for r in batch])
        tick(min(start + _BATCH, len(todo)), len(todo))
    merged = merge_duplicates(ws) if added else 0
    return {"messages": len(todo), "cards_added": added, "merged": merged,
            "detector": getattr(det, "name", None) or type(det).__name__}


def merge_duplicates(ws, threshold: float = MERGE_COSINE, embedder=None) -> int:
    """Fold near-duplicate cards of the same kind (cosine of their statements >= threshold,
    or equal text) into the earliest one, keeping all sources. Returns cards removed."""
    rows = ws.db.execute("SELECT card_id, kind, text FROM practice_cards ORDER BY date, card_id"
                         ).fetchall()
    if len(rows) < 2:
        return 0
    texts = [flat(r[2]).lower() for r in rows]
    try:
        from miner.stages.embeddings import embed_texts

        V = embed_texts(ws, texts, embedder=embedder) if embedder or getattr(
            ws, "embedder", None) else embed_texts(ws, texts)
    except Exception as e:  # no embedder available: exact duplicates only
        log.info("practices: merging exact duplicates only (%s)", e)
        V = None
    keep_of: dict[int, int] = {}
    by_kind: dict[str, list[int]] = {}
    for i, (cid, kind, _) in enumerate(rows):
        for j in by_kind.get(kind, []):
            same = texts[i] == texts[j] or (V is not None and float(V[i] @ V[j]) >= threshold)
            if same:
                keep_of[cid] = rows[j][0]
                break
        else:
            by_kind.setdefault(kind, []).append(i)
    with ws.db:
        for cid, keep in keep_of.items():
            ws.db.execute("UPDATE OR IGNORE practice_sources SET card_id = ? WHERE card_id = ?",
                          (keep, cid))
            ws.db.execute("DELETE FROM practice_sources WHERE card_id = ?", (cid,))
            ws.db.execute("DELETE FROM practice_cards WHERE card_id = ?", (cid,))
    return len(keep_of)


# --------------------------------------------------------------------------- reading

def list_practices(ws, kind: str | None = None, topic: int | None = None,
                   country: str | None = None, person: str | int | None = None) -> list[PracticeCard]:
    """Lesson cards, newest first, filtered by kind, topic id, country (named in the card, or
    the contributor's country) and person (id, or part of the name)."""
    from miner.errors import NotFoundError

    if kind is not None and kind not in KINDS:
        raise NotFoundError(f"unknown practice kind {kind!r}; the kinds are: {', '.join(KINDS)}")
    sql = ("SELECT c.card_id, c.kind, c.text, c.message_id, c.author_name, c.person_id, c.date, "
           "c.thread_id, c.context, c.places, c.organisations, c.topic_id, c.score, p.name, "
           "p.country FROM practice_cards c LEFT JOIN people p ON p.person_id = c.person_id")
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
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY c.date DESC, c.card_id"
    want = (country_of(country) or country).lower() if country else None
    out = []
    for r in ws.db.execute(sql, args).fetchall():
        places = tuple(json.loads(r[9] or "[]"))
        if want:
            named = {(country_of(p) or p).lower() for p in places} | {(r[14] or "").lower()}
            if want not in named:
                continue
        sources = tuple(x[0] for x in ws.db.execute(
            "SELECT message_id FROM practice_sources WHERE card_id = ? ORDER BY rowid", (r[0],)))
        out.append(PracticeCard(r[0], r[1], r[2], r[3], r[13] or r[4] or "", r[5], r[6], r[7],
                                r[8] or "", places, tuple(json.loads(r[10] or "[]")), r[11],
                                float(r[12] or 0.0), sources or (r[3],)))
    return out


def evaluate(gold: list[str], texts: list[str], detector) -> dict:
    """Per-kind precision/recall/F1 of ``detector`` on labelled sentences."""
    from miner.stages.practice_model import prf

    return prf(gold, [k for k, _ in detector.predict_scored(texts)])


__all__ = ["PracticeCard", "RuleDetector", "list_practices", "mentions", "merge_duplicates",
           "run", "statement_span", "evaluate", "np"]
