"""Question routing on a real list: train before a cut-off, route every later question thread,
score MRR and recall@5 of the people who actually answered, next to two baselines.

    python benchmarks/bench_experts.py /tmp/exp_ws_meta 2023-01-01 [hashing|minilm]
"""
from __future__ import annotations

import sys
from collections import Counter

import numpy as np

from miner.stages import experts as X
from miner.stages.bm25 import BM25, tokenize
from miner.workspace import Workspace


def evaluate(ws, cut: str, embedder=None) -> dict:
    c_all = X._load(ws)
    qs = []
    for tid, keys in c_all.threads.items():
        mid, _, _, asker, date, text, subj = c_all.rows[keys[0]]
        if not date or date < cut or asker is None or not X.asks_question(text + " " + subj):
            continue
        gold = {c_all.rows[k][3] for k in keys[1:]} - {asker, None}
        if gold:
            qs.append((subj + "\n" + text, asker, gold))
    router = X.ExpertRouter(embedder=embedder).fit(ws, cut)
    past = X._load(ws, cut)
    active = Counter(r[3] for r in past.rows.values() if r[3] is not None)
    ppl = list(active)
    bm = BM25([tokenize(" ".join(r[5][:2000] for r in past.rows.values() if r[3] == p))
               for p in ppl])

    def metrics(rank, gold):
        rr = next((1 / (i + 1) for i, p in enumerate(rank) if p in gold), 0.0)
        return rr, len(set(rank[:5]) & gold) / len(gold)

    res = {"miner": [], "most_active": [], "bm25": []}
    for text, asker, gold in qs:
        res["miner"].append(metrics([e.person_id for e in router.rank(text, k=50,
                                                                      exclude={asker})], gold))
        res["most_active"].append(metrics([p for p, _ in active.most_common(51)
                                           if p != asker][:50], gold))
        s = np.asarray(bm.scores(tokenize(text)))
        res["bm25"].append(metrics([ppl[i] for i in np.argsort(-s) if ppl[i] != asker][:50], gold))
    return {k: {"mrr": float(np.mean([a for a, _ in v])), "recall@5": float(np.mean(
        [b for _, b in v])), "questions": len(v)} for k, v in res.items()}


if __name__ == "__main__":
    from miner.nlp.embedders import HashingEmbedder

    ws = Workspace.open(sys.argv[1])
    emb = HashingEmbedder(dim=256) if (sys.argv[3:] or ["hashing"])[0] == "hashing" else None
    for k, v in evaluate(ws, sys.argv[2], emb).items():
        print(f"{k:12s} MRR {v['mrr']:.3f}  recall@5 {v['recall@5']:.3f}  (n={v['questions']})")
