"""Question routing on a real list: train before a cut-off, route every later question thread,
score MRR and recall@5 of the people who actually answered, next to two baselines (most active
overall, BM25 over each person's past messages).

    python benchmarks/bench_experts.py WORKSPACE 2023-01-01 [hashing|static|minilm]
    python benchmarks/bench_experts.py WORKSPACE 2021-01-01 static --tune 2023-01-01

``--tune END`` grid-searches the router's weights on the questions between the cut-off and END
(use a period that ends before the evaluation cut-off, so the evaluation stays unseen).
"""
from __future__ import annotations

import itertools
import sys
from collections import Counter

import numpy as np

from miner.stages import experts as X
from miner.stages.bm25 import BM25, tokenize


def questions(ws, cut: str, end: str | None = None) -> list[tuple[str, int, set]]:
    """``(question text, asker, people who answered)`` of question threads started in
    ``[cut, end)``."""
    c_all = X._load(ws)
    qs = []
    for keys in c_all.threads.values():
        _, _, _, asker, date, text, subj = c_all.rows[keys[0]]
        if not date or date < cut or (end and date >= end) or asker is None:
            continue
        if not X.asks_question(text + " " + subj):
            continue
        gold = {c_all.rows[k][3] for k in keys[1:]} - {asker, None}
        if gold:
            qs.append((subj + "\n" + text, asker, gold))
    return qs


def _metrics(rank: list, gold: set) -> tuple[float, float]:
    rr = next((1 / (i + 1) for i, p in enumerate(rank) if p in gold), 0.0)
    return rr, len(set(rank[:5]) & gold) / len(gold)


def _summary(v: list[tuple[float, float]]) -> dict:
    return {"mrr": float(np.mean([a for a, _ in v])) if v else 0.0,
            "recall@5": float(np.mean([b for _, b in v])) if v else 0.0, "questions": len(v)}


def evaluate(ws, cut: str, embedder=None, *, end: str | None = None, router=None) -> dict:
    """MRR and recall@5 of miner's router and the two baselines on questions after ``cut``."""
    qs = questions(ws, cut, end)
    router = router or X.ExpertRouter(embedder=embedder).fit(ws, cut)
    past = X._load(ws, cut)
    active = Counter(r[3] for r in past.rows.values() if r[3] is not None)
    ppl = list(active)
    bm = BM25([tokenize(" ".join(r[5][:2000] for r in past.rows.values() if r[3] == p))
               for p in ppl])
    res: dict[str, list] = {"miner": [], "most_active": [], "bm25": []}
    for text, asker, gold in qs:
        res["miner"].append(_metrics([e.person_id for e in router.rank(
            text, k=50, exclude={asker})], gold))
        res["most_active"].append(_metrics([p for p, _ in active.most_common(51)
                                            if p != asker][:50], gold))
        s = np.asarray(bm.scores(tokenize(text)))
        res["bm25"].append(_metrics([ppl[i] for i in np.argsort(-s, kind="stable")
                                     if ppl[i] != asker][:50], gold))
    return {k: _summary(v) for k, v in res.items()}


WEIGHT_GRID = {"emb": (0.0, 0.5, 1.0), "bm25": (0.0, 0.3, 0.6, 1.0),
               "prior": (0.0, 0.5, 1.0, 2.0), "recent": (0.0, 0.5, 1.0),
               "activity": (0.0, 0.5, 1.0, 2.0)}


def tune(ws, cut: str, end: str, embedder=None, half_lives=(180.0, 365.0)) -> list:
    """Grid search of the router's weights and recency half-life by MRR on the questions in
    ``[cut, end)``, the router fitted before ``cut``. Returns ``[(mrr, weights, half_life)]``,
    best first."""
    qs = questions(ws, cut, end)
    out = []
    for hl in half_lives:
        r = X.ExpertRouter(embedder=embedder, recent_half_life=hl).fit(ws, cut)
        comps = [r.components(t) for t, _, _ in qs]
        people = np.asarray(r.people_)
        for w in itertools.product(*WEIGHT_GRID.values()):
            rr = []
            for C, (_, asker, gold) in zip(comps, qs):
                order = people[np.argsort(-(C @ np.asarray(w)), kind="stable")]
                rr.append(_metrics([p for p in order[:51] if p != asker], gold)[0])
            out.append((float(np.mean(rr)), w, hl))
    out.sort(key=lambda x: -x[0])
    return out


def _embedder(kind: str):
    if kind == "hashing":
        from miner.nlp.embedders import HashingEmbedder

        return HashingEmbedder(dim=256)
    from miner.nlp.embedders import load_embedder

    return load_embedder(kind)


def _default_workspace():
    """For ``python -m benchmarks`` (no WORKSPACE given): r-sig-meta-analysis, ingested once
    into $MINER_BENCH_CACHE/rsig (the workspace bench_search's asked-before part uses)."""
    from pathlib import Path

    from miner.workspace import Workspace

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks._util import CACHE, SHARED

    path = CACHE / "rsig"
    if (path / "corpus.sqlite").exists():
        return Workspace.open(path)
    ws = Workspace.open(path, create=True)
    ws.ingest([str(SHARED / "corpora" / "r-sig-meta-analysis" / "raw")],
              list_name="r-sig-meta-analysis")
    return ws


if __name__ == "__main__":
    import json
    from pathlib import Path

    from miner.workspace import Workspace

    argv = sys.argv[1:]
    out = argv.pop(argv.index("--json") + 1) if "--json" in argv else None
    argv = [a for a in argv if a not in ("--json", "--quick")]  # --quick: already small
    ws = Workspace.open(argv[0]) if argv else _default_workspace()
    cut = argv[1] if len(argv) > 1 else "2023-01-01"
    emb = _embedder((argv[2:] or ["hashing"])[0])
    if "--tune" in argv:
        for mrr, w, hl in tune(ws, cut, argv[argv.index("--tune") + 1], emb)[:10]:
            print(f"MRR {mrr:.3f}  weights {w}  half-life {hl}")
    else:
        res = evaluate(ws, cut, emb)
        for k, v in res.items():
            print(f"{k:12s} MRR {v['mrr']:.3f}  recall@5 {v['recall@5']:.3f}  "
                  f"(n={v['questions']})")
        if out:
            Path(out).write_text(json.dumps([
                {"benchmark": "experts", "metric": f"routing {k} {m} (after {cut})",
                 "value": round(v[m], 3), "unit": "", "target": None, "pass": None}
                for k, v in res.items() for m in ("mrr", "recall@5")], indent=1))
