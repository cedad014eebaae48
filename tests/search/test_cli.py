from __future__ import annotations

import json

from typer.testing import CliRunner

from miner.cli import app

from ._ws import make_workspace


def test_search_json_shape_and_exit_codes(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    ws.close()
    r = CliRunner().invoke(app, ["search", "budget portal", "-w", str(tmp_path / "ws"),
                                 "--mode", "keyword", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows and set(rows[0]) >= {"message_id", "thread_id", "score", "subject",
                                     "author_name", "date", "snippet"}
    assert rows[0]["thread_id"] == "t2"
    r = CliRunner().invoke(app, ["search", "youth", "-w", str(tmp_path / "ws"), "--threads",
                                 "--mode", "keyword", "--json"])
    assert json.loads(r.stdout)[0]["messages"] == 2
    r = CliRunner().invoke(app, ["search", "x", "-w", str(tmp_path / "ws"), "--since", "soon"])
    assert r.exit_code == 1 and "YYYY" in r.output
    r = CliRunner().invoke(app, ["search", "youth elections", "-w", str(tmp_path / "ws"),
                                 "--mode", "keyword"])
    assert r.exit_code == 0 and "**" in r.stdout


def test_search_help_has_an_example():
    r = CliRunner().invoke(app, ["search", "--help"])
    assert r.exit_code == 0 and "Example: miner search" in r.output
    r = CliRunner().invoke(app, ["similar", "--help"])
    assert r.exit_code == 0 and "Example: miner similar" in r.output
