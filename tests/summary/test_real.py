"""Real corpora: the demo e-discussion, the verbatim check over r-sig-teaching, ROUGE on BC3."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from miner.nlp import HashingEmbedder
from miner.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "corpora" / "demo"

pytestmark = pytest.mark.slow


@pytest.mark.model
def test_demo_ediscussion(tmp_path):
    answers = json.loads((DEMO / "answers.json").read_text())
    qid = answers["ediscussion"]["query_message_id"]
    from miner.stages.summary import summarize

    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.ingest([str(DEMO / "gov-cop.mbox")])
    r = summarize(ws, qid)
    assert r.query.message_id.strip("<>") == qid.strip("<>")
    assert r.query.author_name == "Helena Brandt" and "budget" in r.query.subject.lower()
    assert len(r.contributors) >= 12, len(r.contributors)
    assert len(r.themes) >= 3
    places = {e.place for e in r.experiences}
    print("experiences:", len(places), sorted(places))
    assert len(places) >= 8
    links = [x for x in r.resources if x.kind == "link"]
    assert len(links) >= 3 and all(x.recommended_by for x in r.resources)


def test_verbatim_r_sig_teaching(corpora, tmp_path):
    """summarize() runs the verbatim check on every point; it raises on any failure."""
    from miner.stages.summary import check_points, summarize

    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.embedder = HashingEmbedder(dim=64)
    ws.ingest(sorted(str(p) for p in (corpora / "r-sig-teaching" / "raw").glob("*.mbox")))
    tids = [t for (t,) in ws.db.execute("SELECT thread_id FROM threads WHERE messages >= 5")]
    assert tids
    n_points = 0
    texts = dict(ws.db.execute("SELECT message_id, text FROM messages"))
    for tid in tids:
        r = summarize(ws, tid, related=False)
        assert check_points(r.points(), texts) == []
        n_points += len(r.points())
    print(f"r-sig-teaching: {len(tids)} threads with >= 5 messages, {n_points} points verbatim")
    assert n_points > len(tids)


@pytest.mark.model
def test_bc3_rouge(corpora, evalmetrics, tmp_path):
    spec = importlib.util.spec_from_file_location("bench_summary",
                                                  ROOT / "benchmarks" / "bench_summary.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_summary"] = bench  # its dataclasses look their module up
    spec.loader.exec_module(bench)
    threads = bench.load_bc3(corpora / "bc3-email-summarization")
    assert len(threads) == 16 and all(len(t.summaries) == 3 for t in threads)
    ws = bench.build_workspace(tmp_path / "ws", threads)
    res = bench.run(threads, ws, evalmetrics)
    for k, r in res.items():
        print(f"{k:10s} R1 {r['R1_MEAN']:.2f}  R2 {r['R2_MEAN']:.2f}  RL {r['RL_MEAN']:.2f}")
    for m in ("R2_MEAN", "RL_MEAN"):
        assert res["miner"][m] > res["lead"][m]
        assert res["miner"][m] > res["centroid"][m]
