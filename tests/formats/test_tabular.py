"""Tables of messages: Parquet, CSV, JSON Lines, JSON, with and without --map."""
from __future__ import annotations

import json

import pytest

from miner.errors import MinerError

from .conftest import accounted, adapter_for, count, quarantined, stored


def test_mapping_and_wrong_format(ingest, tmp_path):
    f = tmp_path / "forum.csv"
    f.write_text("post,headline,who,when\nWe pilot first.,Budgets,Ana,2024-01-02T10:00:00Z\n"
                 ",,,\n")
    with pytest.raises(MinerError, match="subject or body column"):
        ingest(f, strict=True)
    ws, rep = ingest(f, options={"map": "body=post,subject=headline,from_name=who,date=when"})
    assert stored(ws) == 1 and quarantined(ws) == 1  # the empty row is kept, not lost
    row = ws.db.execute("SELECT subject, from_name, date FROM messages").fetchone()
    assert tuple(row) == ("Budgets", "Ana", "2024-01-02T10:00:00+00:00")
    with pytest.raises(MinerError, match="unknown field"):
        ingest(f, options={"map": "colour=post"}, strict=True)
    ws, rep = ingest(f, format="mbox")
    assert "does not look like mbox" in rep.errors[0].error


@pytest.mark.slow
def test_parquet_csv_jsonl_samples(ingest, corpora):
    import pyarrow.parquet as pq

    d = corpora / "r-mailing-lists-parquet"
    for p in sorted(d.glob("*.parquet")):
        assert adapter_for(p) == "tabular"
        rows = pq.ParquetFile(p).metadata.num_rows
        ws, rep = ingest(p)
        assert accounted(ws, rep) == rows, p.name
    rows = sum(1 for line in open(d / "r-help-2025-2029.derived.jsonl") if line.strip())
    ws, rep = ingest(d / "r-help-2025-2029.derived.jsonl")
    assert stored(ws) + quarantined(ws) + rep.duplicates == rows == 1206
    ws2, rep2 = ingest(d / "r-help-2025-2029.derived.csv")
    assert stored(ws2) == stored(ws)
    assert count(ws2, "SELECT count(*) FROM messages WHERE parent_key IS NOT NULL") == \
        count(ws, "SELECT count(*) FROM messages WHERE parent_key IS NOT NULL")


@pytest.mark.slow
def test_processed_json_equals_raw_pipermail(ingest, corpora):
    d = corpora / "r-sig-teaching"
    files = sorted((d / "processed-json" / "processed").glob("*.json"))
    n = sum(len(json.loads(p.read_text())["messages"]) for p in files)
    assert adapter_for(files[0]) == "tabular"
    wj, rj = ingest(str(d / "processed-json" / "processed" / "*.json"))
    assert stored(wj) + quarantined(wj) + rj.duplicates == n
    wr, rr = ingest(d / "raw")
    ids_j = {r[0] for r in wj.db.execute("SELECT message_id FROM messages")}
    ids_r = {r[0] for r in wr.db.execute("SELECT message_id FROM messages")}
    print("json", len(ids_j), "raw", len(ids_r), "only raw", len(ids_r - ids_j))
    assert ids_j == ids_r
    # threads agree: same parent for each message
    par_j = dict(wj.db.execute("SELECT m.message_id, p.message_id FROM messages m "
                               "LEFT JOIN messages p ON p.key = m.parent_key"))
    par_r = dict(wr.db.execute("SELECT m.message_id, p.message_id FROM messages m "
                               "LEFT JOIN messages p ON p.key = m.parent_key"))
    agree = sum(par_j[k] == par_r.get(k) for k in par_j) / len(par_j)
    print("parent agreement", agree)
    assert agree >= 0.98
