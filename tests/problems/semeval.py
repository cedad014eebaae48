"""SemEval-2016 Task 3 train-part2: the "same recurring problem" decision, miner vs BM25."""
from __future__ import annotations

import hashlib
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np

FILE = "semeval2016-task3-cqa-qatarliving/SemEval2016-Task3-CQA-QL-train-part2.xml"
_TOK = re.compile(r"\w+")


def load(corpora: Path):
    """(questions {id: (subject, body)}, pairs [(orgq, relq, positive, half)])."""
    root = ET.parse(corpora / FILE).getroot()
    questions, pairs = {}, []
    for org in root.iter("OrgQuestion"):
        oid = org.get("ORGQ_ID")
        questions[oid] = (org.findtext("OrgQSubject") or "", org.findtext("OrgQBody") or "")
        rel = org.find("Thread/RelQuestion")
        rid = rel.get("RELQ_ID")
        questions[rid] = (rel.findtext("RelQSubject") or "", rel.findtext("RelQBody") or "")
        half = "dev" if int(hashlib.md5(oid.encode()).hexdigest()[:8], 16) % 2 == 0 else "test"
        pairs.append((oid, rid, rel.get("RELQ_RELEVANCE2ORGQ") in ("PerfectMatch", "Relevant"),
                      half))
    return questions, pairs


def question_texts(questions):
    """What the problems stage compares: cleaned subject + the whole body."""
    from miner.stages.problems import clean_subject

    return {i: (clean_subject(s) + ". " + (b or "")[:4000]).strip(". ")
            for i, (s, b) in questions.items()}


def question_vectors(ws, questions):
    """Message vectors (subject + body chunks, as the embeddings stage makes them) of every
    question, stored as messages of ``ws`` (cached: a re-run embeds nothing)."""
    from miner.pipeline import run_stages
    from miner.stages.embeddings import message_vectors

    with ws.db:
        for i, (subj, body) in questions.items():
            ws.db.execute("INSERT OR IGNORE INTO messages(key, message_id, list, subject, text, "
                          "thread_id) VALUES (?, ?, 'semeval', ?, ?, ?)", (i, i, subj, body, i))
    run_stages(ws, ["embeddings"])
    keys, x = message_vectors(ws)
    return dict(zip(keys, x))


def bm25_scores(questions, pairs, k1=1.2, b=0.75):
    docs = {i: [w.lower() for w in _TOK.findall(s + " " + t)] for i, (s, t) in questions.items()}
    n = len(docs)
    avg = sum(len(d) for d in docs.values()) / n
    df = Counter(w for d in docs.values() for w in set(d))
    idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}
    out = []
    for o, r, _, _ in pairs:
        tf, dl = Counter(docs[r]), len(docs[r])
        out.append(sum(idf[w] * tf[w] * (k1 + 1) / (tf[w] + k1 * (1 - b + b * dl / avg))
                       for w in set(docs[o]) if w in tf))
    return np.array(out)


def prf(gold, pred):
    gold, pred = np.asarray(gold, bool), np.asarray(pred, bool)
    tp, fp, fn = (gold & pred).sum(), (~gold & pred).sum(), (gold & ~pred).sum()
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"P": round(float(p), 3), "R": round(float(r), 3),
            "F1": round(float(2 * p * r / (p + r)) if p + r else 0.0, 3)}


def miner_decisions(ids, vectors, texts, pairs, threshold, weight):
    from miner.stages.problems import group

    labels = dict(zip(ids, group(vectors, threshold, [texts[i] for i in ids], weight)))
    return np.array([labels[o] == labels[r] for o, r, _, _ in pairs])


WEIGHTS = (0.4, 0.5, 0.6)


def evaluate(questions, pairs, texts, vectors_by_id, grid=None, weights=WEIGHTS):
    """Tune miner's (semantic weight, threshold) and BM25's threshold on the dev half only;
    report P/R/F1 on dev, test and all pairs."""
    grid = grid if grid is not None else np.round(np.arange(0.15, 0.51, 0.025), 3)
    ids = list(questions)
    vecs = np.stack([vectors_by_id[i] for i in ids])
    gold = np.array([p[2] for p in pairs])
    dev = np.array([p[3] == "dev" for p in pairs])
    bm = bm25_scores(questions, pairs)
    scored = [(prf(gold[dev], miner_decisions(ids, vecs, texts, pairs, t, w)[dev])["F1"], -w, t)
              for w in weights for t in grid]
    _, neg_w, best_t = max(scored)
    best_w = -neg_w
    bm_grid = np.unique(np.quantile(bm, np.linspace(0, 1, 101)))
    best_b = max(bm_grid, key=lambda t: prf(gold[dev], bm[dev] >= t)["F1"])
    dec = miner_decisions(ids, vecs, texts, pairs, best_t, best_w)
    out = {"miner_threshold": float(best_t), "miner_semantic_weight": float(best_w),
           "bm25_threshold": round(float(best_b), 3),
           "dev_f1_at_stage_default": prf(gold[dev], miner_decisions(
               ids, vecs, texts, pairs, _stage_threshold(), _stage_weight())[dev])["F1"]}
    for name, mask in (("dev", dev), ("test", ~dev), ("all", np.ones_like(dev))):
        out[f"miner_{name}"] = prf(gold[mask], dec[mask])
        out[f"bm25_{name}"] = prf(gold[mask], bm[mask] >= best_b)
    return out


def _stage_threshold():
    from miner.stages.problems import DEFAULT_THRESHOLD

    return DEFAULT_THRESHOLD


def _stage_weight():
    from miner.stages.problems import SEMANTIC_WEIGHT

    return SEMANTIC_WEIGHT
