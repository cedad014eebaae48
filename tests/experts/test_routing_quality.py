"""Question routing on two real lists, next to the two baselines of issue 6.

Train on threads before a cut-off; route every later question thread; MRR and recall@5 of the
people who actually answered, for miner's router, "most active overall" and BM25 over each
person's past messages. The router's weights were tuned on the period before each cut-off only
(``python benchmarks/bench_experts.py WS CUT static --tune END``).

Embeddings: the fast static model (model2vec distilled from MiniLM), because MiniLM on this
shared 2-core machine runs at ~5 sentences/s (684 short sentences took 149 s), so the
question texts of r-sig-meta-analysis would take well over 10 minutes.

    pytest -m "slow and model" tests/experts/test_routing_quality.py -s
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from miner.workspace import Workspace

pytestmark = [pytest.mark.slow, pytest.mark.model]

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path("/tmp/miner_routing")  # ingested workspaces, keyed by corpus, reused across runs
# (cache name, mbox glob under ../shared/corpora, evaluation cut-off)
LISTS = [("meta", "r-sig-meta-analysis/raw/*.mbox", "2023-01-01"),
         ("teach", "r-sig-teaching/raw/*.mbox", "2013-01-01")]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_experts",
                                                  ROOT / "benchmarks" / "bench_experts.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_experts", mod)
    spec.loader.exec_module(mod)
    return mod


def _workspace(corpora: Path, name: str, pattern: str) -> Workspace:
    path = CACHE / name
    done = path / ".ingested"
    if not done.exists():
        ws = Workspace.open(path, create=True)
        ws.ingest([str(p) for p in sorted(corpora.glob(pattern))])
        done.write_text("ok")
        return ws
    return Workspace.open(path)


@pytest.fixture(scope="module")
def static_embedder():
    from miner.nlp.embedders import load_embedder

    return load_embedder("static")


@pytest.mark.parametrize("name, pattern, cut", LISTS, ids=[x[0] for x in LISTS])
def test_miner_routes_questions_better_than_both_baselines(corpora, static_embedder, name,
                                                           pattern, cut):
    ws = _workspace(corpora, name, pattern)
    res = _bench().evaluate(ws, cut, static_embedder)
    print(f"\n{name}: train before {cut}, {res['miner']['questions']} question threads after; "
          f"embedder {static_embedder.name} (fast mode: MiniLM too slow on this machine)")
    print(f"{'method':12s} {'MRR':>6s} {'R@5':>6s}")
    for k, v in res.items():
        print(f"{k:12s} {v['mrr']:6.3f} {v['recall@5']:6.3f}")
    assert res["miner"]["questions"] >= 40
    assert res["miner"]["mrr"] > res["most_active"]["mrr"]
    assert res["miner"]["mrr"] > res["bm25"]["mrr"]
