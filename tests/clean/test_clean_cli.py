"""`miner clean` on a body file, stdin and an .eml; errors; start-up imports."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from miner.cli import app

DATA = Path(__file__).resolve().parent.parent / "data" / "clean"
runner = CliRunner()


def test_clean_json_on_file() -> None:
    path = DATA / "inline_reply.txt"
    res = runner.invoke(app, ["clean", str(path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    text = path.read_text(encoding="utf-8")
    assert "Friday works for me." in out["new_text"]
    assert out["segments"][0]["start"] == 0 and out["segments"][-1]["end"] == len(text)
    assert {s["kind"] for s in out["segments"]} >= {"quote", "reply_header", "new"}


def test_clean_stdin_plain_and_show() -> None:
    res = runner.invoke(app, ["clean"], input="Yes.\n\nOn Mon, 1 Jan 2024, A <a@b.c> wrote:\n> q\n")
    assert res.exit_code == 0 and res.stdout.strip() == "Yes."
    res = runner.invoke(app, ["clean", "-", "--show"], input="Yes.\n\n> q\n")
    assert "[quote]" in res.stdout and "[new]" in res.stdout


def test_clean_eml_decodes_mime() -> None:
    res = runner.invoke(app, ["clean", "--eml", str(DATA / "reply_fr.eml"), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["new_text"] == "Je suis désolée."


def test_clean_missing_file_is_one_line_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["clean", str(tmp_path / "nope.txt")])
    assert res.exit_code == 1
    assert "no such file" in res.output


def test_clean_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, miner.cli.clean, miner.clean; "
        "bad = [m for m in ('torch', 'sentence_transformers', 'spacy', 'bertopic', 'umap', 'numpy') if m in sys.modules]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
