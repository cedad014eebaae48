from __future__ import annotations

import importlib.util
from pathlib import Path

from miner.nlp.embedders import HashingEmbedder
from miner.stages import experts

_spec = importlib.util.spec_from_file_location("tinyws", Path(__file__).with_name("tinyws.py"))
tinyws = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tinyws)


def test_experts_from_answers_with_evidence(tmp_path):
    ws = tinyws.make_ws(tmp_path / "ws")
    ws.embedder = HashingEmbedder(dim=64)
    rep = experts.run(ws)
    assert rep["people"] >= 2
    top = experts.list_experts(ws, limit=5)
    assert top[0].name == "Wolf Expert"  # answered two askers, thanked once
    assert set(top[0].evidence) == {"a2@x", "b2@x"}
    assert all(e.person_id != 1 for e in top)  # the asker who never answered is not an expert
    g = experts.reply_graph(ws)
    assert g.has_edge(2, 1) and g.nodes[2]["name"] == "Wolf Expert"
    ranked = experts.who_could_answer(ws, "three-level meta-analysis model with rma.mv", k=3)
    assert ranked[0].name == "Wolf Expert"
    assert experts.who_could_answer(ws, "anything", before="2019-01-01") == []


def test_experts_before_a_date_use_only_earlier_answers(tmp_path):
    ws = tinyws.make_ws(tmp_path / "ws")
    ws.embedder = HashingEmbedder(dim=64)
    experts.run(ws)
    # before February 2020 only thread t1 exists: Wolf Expert's a2 is the one answer
    early = experts.list_experts(ws, before="2020-01-15")
    assert [e.name for e in early] == ["Wolf Expert"]
    assert early[0].evidence == ("a2@x",) and early[0].answers == 1
    # the stored ranking (every message) counts both of his answers
    assert experts.list_experts(ws, limit=5)[0].answers == 2
    assert experts.list_experts(ws, before="2019-01-01") == []
