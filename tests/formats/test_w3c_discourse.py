"""W3C archive pages and Discourse topic JSON."""
from __future__ import annotations

import json

from .conftest import adapter_for, count, quarantined, stored


def test_w3c_pages(ingest, corpora):
    d = corpora / "bigbang-fixtures"
    pages = sorted(d.glob("w3crawl-*.html"))
    assert {adapter_for(p) for p in pages} == {"w3c"}
    n = sum(p.read_bytes().count(b'<!-- id="') for p in pages)
    ws, rep = ingest(*pages)
    assert stored(ws) + quarantined(ws) + rep.duplicates == n == 3
    assert count(ws, "SELECT count(*) FROM messages WHERE list='public-privacy'") == stored(ws)
    assert count(ws, "SELECT count(*) FROM messages WHERE in_reply_to IS NOT NULL") >= 1
    assert count(ws, "SELECT count(*) FROM messages WHERE from_email LIKE '%@%'") == stored(ws)


def test_w3c_archive_dir(ingest, corpora):
    d = corpora / "bigbang-fixtures" / "w3c-archive-dir"
    ws, rep = ingest(d / "index", d / "2020AprJun" / "index.html",
                     d / "2020AprJun" / "w3crawl-test-message.html")
    assert rep.errors == [] and stored(ws) == 1  # index pages hold no message
    assert adapter_for(d / "index") == "w3c"


def test_discourse_sample(ingest, corpora):
    d = corpora / "perceval-fixtures" / "discourse"
    n = 0
    for p in d.glob("*.json"):
        obj = json.loads(p.read_text())
        if "post_stream" in obj:
            n += len(obj["post_stream"]["posts"])
        elif "cooked" in obj:
            n += 1
    assert {adapter_for(p) for p in d.glob("*.json")} == {"discourse"}
    ws, rep = ingest(str(d / "*.json"))
    assert stored(ws) + quarantined(ws) + rep.duplicates == n
    # topic 1148's posts form one thread
    assert count(ws, "SELECT count(DISTINCT thread_id) FROM messages "
                     "WHERE message_id LIKE '1148.%'") == 1
