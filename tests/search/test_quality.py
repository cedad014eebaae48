"""Real models and real corpora. Run with: pytest -m "model or slow" tests/search"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_search",
                                                  ROOT / "benchmarks" / "bench_search.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.model
def test_minilm_loads_offline_and_ranks_sensibly():
    from miner.nlp import load_embedder

    emb = load_embedder("minilm")
    v = emb.encode(["multilevel meta-analysis with dependent effect sizes",
                    "three-level model for correlated effect sizes", "cheap mobile phone in Doha"])
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-3)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


@pytest.mark.model
def test_static_model_is_distilled_locally_and_ranks_sensibly():
    from miner.nlp import load_embedder

    emb = load_embedder("static")
    v = emb.encode(["budget transparency portal", "open budget data for citizens", "football"])
    assert v.shape == (3, 256)
    assert v[0] @ v[1] > v[0] @ v[2]


@pytest.mark.slow
@pytest.mark.model
def test_semeval_hybrid_beats_every_baseline_on_map(corpora, evalmetrics, tmp_path):
    b = _bench()
    qs = b.load_semeval(corpora / "semeval2016-task3-cqa-qatarliving" /
                        "SemEval2016-Task3-CQA-QL-train-part2.xml")
    assert len(qs) == 67 and all(len(q["cands"]) == 10 for q in qs)
    ws = b.semeval_workspace(qs, path=tmp_path / "semeval")
    scores = b.semeval_scores(qs, b.semeval_rankings(ws, qs), evalmetrics)
    ws.close()
    for name, s in scores.items():
        print(name, {k: round(v, 2) for k, v in s["all"].items()})
    hybrid = scores["hybrid"]["all"]["MAP"]
    for base in ("engine", "keyword", "semantic"):
        assert hybrid > scores[base]["all"]["MAP"], base
    assert hybrid > 75.0 - 1.0  # measured 76-77
