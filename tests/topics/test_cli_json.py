"""`miner topics --json` and `miner problems --json` on the demo corpus (hashing fake embedder,
fast topics): the shapes promised by ../shared/CLI.md, and problem ids stable across re-runs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "corpora" / "demo" / "gov-cop.mbox"

TOPIC_KEYS = {"topic_id", "label", "keywords", "size", "threads", "first_seen", "last_seen"}
PROBLEM_KEYS = {"problem_id", "question", "threads", "count", "first_seen", "last_seen",
                "answers"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from miner.nlp.embedders import HashingEmbedder
    from miner.pipeline import run_stages
    from miner.workspace import Workspace

    path = tmp_path_factory.mktemp("cli") / "ws"
    ws = Workspace.open(path, create=True, overrides={"mode": "fast"})
    ws.config.save(ws.path)
    ws.embedder = HashingEmbedder(dim=64)
    ws.ingest([str(DEMO)])
    run_stages(ws, ["embeddings", "topics", "problems"])
    yield ws


def _json(args):
    from miner.cli import app

    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_topics_json_shape(demo):
    rows = _json(["topics", "-w", str(demo.path), "--json"])
    assert rows and all(set(r) == TOPIC_KEYS for r in rows)
    for r in rows:
        assert isinstance(r["topic_id"], int) and isinstance(r["label"], str) and r["label"]
        assert isinstance(r["keywords"], list) and all(isinstance(k, str) for k in r["keywords"])
        assert isinstance(r["size"], int) and r["size"] > 0 and isinstance(r["threads"], int)


def test_problems_json_shape(demo):
    rows = _json(["problems", "-w", str(demo.path), "--json", "--min-threads", "1"])
    assert rows and all(set(r) == PROBLEM_KEYS for r in rows)
    mids = {r[0] for r in demo.db.execute("SELECT message_id FROM messages")}
    threads = {r[0] for r in demo.db.execute("SELECT thread_id FROM messages")}
    for r in rows:
        assert isinstance(r["problem_id"], int) and r["question"]
        assert r["count"] == len(r["threads"]) >= 1 and set(r["threads"]) <= threads
        assert set(r["answers"]) <= mids
        assert r["first_seen"] is None or r["first_seen"] <= r["last_seen"]
    assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)


def test_problem_ids_are_stable_across_reruns(demo):
    from miner.stages import problems

    def snapshot():
        return sorted(tuple(r) for r in demo.db.execute(
            "SELECT key, problem_id FROM question_messages"))

    first = snapshot()
    problems.run(demo, None)
    assert snapshot() == first
    assert _json(["problems", "-w", str(demo.path), "--json", "--min-threads", "1"]) == \
        _json(["problems", "-w", str(demo.path), "--json", "--min-threads", "1"])
