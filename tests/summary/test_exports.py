"""Exports: hostile archive content stays inert in every format; DOCX reads back and converts."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from miner.stages.summary import render, summarize, write_reply

from .conftest import QUERY, RESPONSES, insert

HOSTILE = (
    "<script>alert('x')</script> In Kenya we did <b>bold</b> things & more.\n"
    "# Not a heading\n"
    "- not a list item but a sentence with enough words in it\n"
    "Click [here](javascript:alert(1)) or ![img](http://evil.example.com/x.png) for our guide.\n"
    "<img src=x onerror=alert(2)> An image tag appeared in this reply to the list.\n"
    "Bell\x07 and escape\x1b[31m and bidi \u202eevil\u202c characters sit in this line.\n"
    "| a | b |\n|---|---|\n"
    "Our <iframe src=\"http://evil.example.com\"></iframe> results came from Nigeria."
)


@pytest.fixture
def hostile(ws):
    insert(ws, [(0, QUERY), (1, HOSTILE)] + RESPONSES[1:],
           subject="Budgets <script>alert(3)</script> [x](javascript:alert(4))")
    ws.db.execute("UPDATE messages SET permalink = 'javascript:alert(5)' WHERE message_id LIKE '%-1@%'")
    ws.db.commit()
    return ws


def test_hostile_html(hostile):
    out = render(summarize(hostile, "t-budget"), "html")
    low = out.lower()
    assert "<script" not in low and "<img" not in low and "<iframe" not in low and "<b>" not in low
    assert "javascript:" not in re.sub(r"&[a-z]+;|&#\d+;", "", " ".join(
        re.findall(r'href="([^"]*)"', out))).lower()
    assert "&lt;script&gt;" in out
    assert "Content-Security-Policy" in out and "default-src 'none'" in out
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u202e]", out)


def test_hostile_markdown(hostile):
    out = render(summarize(hostile, "t-budget"), "md")
    assert "<script" not in out.lower() and "<img" not in out.lower() and "<iframe" not in out
    # brackets from messages are escaped, so no link or image can be formed
    assert not re.search(r"(?<!\\)\]\(<?javascript", out)
    assert not re.search(r"(?<!\\)!\[img(?<!\\)\]", out) and "!\\[img\\]" in out
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u202e]", out)
    # no line of message text can start a heading, list item or table of its own
    body_lines = [line for line in out.split("\n") if line.startswith("> ")]
    assert not any(re.match(r"> (#|- |\|)", line) for line in body_lines)
    assert "\\# Not a heading" in out


def test_hostile_json_and_docx(hostile, tmp_path):
    r = summarize(hostile, "t-budget")
    d = json.loads(render(r, "json"))
    assert "<script>" in d["responses"][0]["text"]  # data stays data; JSON consumers escape
    docx = pytest.importorskip("docx")
    path = write_reply(r, tmp_path / "h.docx")
    doc = docx.Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "<script>alert('x')</script>" in text  # shown as text, not markup
    assert "\x07" not in text and "\u202e" not in text
    rels = [rel.target_ref for rel in doc.part.rels.values() if "hyperlink" in rel.reltype]
    assert rels and not any(u.lower().startswith("javascript") for u in rels)


def test_docx_structure_and_pdf(discussion, tmp_path):
    docx = pytest.importorskip("docx")
    ws, mids = discussion
    path = write_reply(summarize(ws, "t-budget"), tmp_path / "reply.docx")
    doc = docx.Document(str(path))
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for h in ("The query", "Contributors", "Summary of responses", "Comparative experiences",
              "Related resources", "Related past discussions", "Responses in full"):
        assert h in heads
    numbered = [p.text for p in doc.paragraphs if p.style.name == "List Number"]
    assert numbered[0].startswith("Amina Yusuf") and len(numbered) == 4
    links = [rel.target_ref for rel in doc.part.rels.values() if "hyperlink" in rel.reltype]
    assert "https://lists.example.org/archive/t-budget/1.html" in links
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "reply.pdf"
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-"


def test_cli_summarize_and_report(discussion, tmp_path, monkeypatch):
    from miner.cli import app
    from miner.cli.summary import safe_name

    ws, mids = discussion
    ws.close()
    monkeypatch.setattr("miner.stages.embeddings.get_embedder",
                        lambda *a, **k: __import__("miner.nlp", fromlist=["x"]).HashingEmbedder(64))
    runner = CliRunner()
    res = runner.invoke(app, ["summarize", mids[0], "-w", str(ws.path), "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["query"]["author_name"] == "Helena Brandt" and d["themes"]
    out = tmp_path / "r.html"
    res = runner.invoke(app, ["summarize", "t-budget", "-w", str(ws.path), "-o", str(out)])
    assert res.exit_code == 0 and out.read_text().startswith("<!DOCTYPE html>")
    res = runner.invoke(app, ["summarize", "<missing@x>", "-w", str(ws.path)])
    assert res.exit_code == 1 and "error:" in res.output
    res = runner.invoke(app, ["report", "--since", "2021-10-01", "--until", "2021-10-31",
                              "-w", str(ws.path), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["messages"] == 6
    assert safe_name("../../etc/passwd", "docx") == "etc-passwd.docx"
    assert "/" not in safe_name("<a/b@c>", "md")
