"""LISTSERV notebook logs and NNTP article files."""
from __future__ import annotations

from .conftest import adapter_for, count, quarantined, stored


def test_listserv_sample(ingest, corpora):
    d = corpora / "bigbang-fixtures" / "3GPP" / "3GPP_TSG_SA_ITUT_AHG"
    logs = sorted(d.glob("*.LOG*"))
    n = sum(sum(1 for ln in p.read_bytes().splitlines() if ln.rstrip(b"\r") == b"=" * 73)
            for p in logs)
    assert n == 25
    assert {adapter_for(p) for p in logs} == {"listserv"}
    ws, rep = ingest(d)  # the folder, with its binary DBNAMES index file
    assert rep.errors == []
    assert stored(ws) + quarantined(ws) + rep.duplicates == n
    # a message without a Date gets the log's week
    assert count(ws, "SELECT count(*) FROM messages WHERE date IS NULL") == 0


def test_listserv_split_keeps_body_separators(ingest, tmp_path):
    sep = b"=" * 73
    f = tmp_path / "L.LOG2401A"
    f.write_bytes(sep + b"\nFrom: a@x.org\nSubject: one\n\nbody\n" + sep + b"\nnot a header\n"
                  + sep + b"\nFrom: b@x.org\nSubject: two\n\nbody two\n")
    ws, _ = ingest(f)
    assert stored(ws) == 2
    body = ws.db.execute("SELECT body FROM messages WHERE subject='one'").fetchone()[0]
    assert "not a header" in body


def test_nntp_sample(ingest, corpora):
    d = corpora / "perceval-fixtures" / "nntp"
    files = sorted(d.glob("*.txt"))
    assert {adapter_for(p) for p in files} == {"nntp"}
    ws, rep = ingest(d)
    assert stored(ws) + quarantined(ws) + rep.duplicates == len(files) == 3
    assert count(ws, "SELECT count(*) FROM messages WHERE list LIKE 'mozilla.%' "
                     "OR list LIKE 'example.%' OR list IS NOT NULL") == stored(ws)
