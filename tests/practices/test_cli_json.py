"""``miner practices --json`` and ``miner experts --json`` print exactly the CLI.md shapes,
on the demo corpus (rules detector, fake NER: no model needed)."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from miner.cli import app
from miner.stages import experts, practices
from miner.workspace import Workspace

DEMO = Path(__file__).resolve().parents[2] / "corpora" / "demo" / "gov-cop.mbox"
PRACTICE_KEYS = {"kind", "text", "message_id", "author_name", "places", "organisations",
                 "topic_id", "sources"}
EXPERT_KEYS = {"person_id", "name", "score", "answers", "threads", "topics", "evidence"}


def _ner(texts):
    return [([], []) for _ in texts]


def test_practices_and_experts_json_shapes(tmp_path):
    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.ingest([str(DEMO)])
    assert practices.run(ws, detector=practices.RuleDetector(), ner=_ner)["cards_added"] > 0
    assert experts.run(ws)["people"] > 0
    texts = dict(ws.db.execute("SELECT message_id, text FROM messages"))
    ws.close()
    r = CliRunner().invoke(app, ["practices", "-w", str(tmp_path / "ws"), "--json"])
    assert r.exit_code == 0, r.output
    cards = json.loads(r.stdout)
    assert cards and all(set(c) == PRACTICE_KEYS for c in cards)
    assert all(c["text"] in texts[c["message_id"]] for c in cards)  # verbatim
    assert all(c["message_id"] in c["sources"] for c in cards)
    r = CliRunner().invoke(app, ["practices", "-w", str(tmp_path / "ws"), "--kind",
                                 "resource", "--json"])
    assert r.exit_code == 0 and all(c["kind"] == "resource" for c in json.loads(r.stdout))
    r = CliRunner().invoke(app, ["experts", "-w", str(tmp_path / "ws"), "--json"])
    assert r.exit_code == 0, r.output
    people = json.loads(r.stdout)
    assert people and all(set(p) == EXPERT_KEYS for p in people)
    assert all(p["evidence"] and p["answers"] >= 1 for p in people)
    assert [p["score"] for p in people] == sorted((p["score"] for p in people), reverse=True)
