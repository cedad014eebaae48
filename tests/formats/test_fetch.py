"""Fetching a pipermail list by URL from a local HTTP server (127.0.0.1, no network)."""
from __future__ import annotations

import gzip
import http.server
import shutil
import threading

import pytest

from miner.ingest import fetch

from .conftest import stored

QUARTERS = ["2007q1", "2010q3", "2015q4"]


class Handler(http.server.SimpleHTTPRequestHandler):
    fail: dict = {}  # path -> list of actions ("500", "503", "drop") to play, then serve
    log: list = []

    def log_message(self, *a):  # keep test output quiet
        pass

    def do_GET(self):
        type(self).log.append((self.path, self.headers.get("User-Agent")))
        actions = type(self).fail.get(self.path)
        if actions:
            act = actions.pop(0)
            if act == "drop":
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write(b"x" * 100)
                self.wfile.flush()
                self.connection.shutdown(2)
                return
            self.send_error(int(act))
            return
        super().do_GET()


@pytest.fixture
def server(tmp_path, corpora):
    site = tmp_path / "site" / "pipermail" / "r-sig-teaching"
    site.mkdir(parents=True)
    raw = corpora / "r-sig-teaching" / "raw"
    for q in QUARTERS:
        (site / f"{q}.txt.gz").write_bytes(gzip.compress((raw / f"{q}.mbox").read_bytes(), 9,
                                                         mtime=0))
    perceval = tmp_path / "site" / "pipermail" / "perceval"
    perceval.mkdir()
    pf = corpora / "perceval-fixtures" / "pipermail"
    shutil.copy(pf / "pipermail_index.html", perceval / "index.html")
    shutil.copy(pf / "pipermail_2016_april.mbox", perceval / "2016-April.txt")
    shutil.copy(pf / "pipermail_2016_march.mbox", perceval / "2016-March.txt")
    (perceval / "2015-November.txt.gz").write_bytes(
        gzip.compress((pf / "pipermail_2015_november.mbox").read_bytes(), mtime=0))

    def write_index(quarters):
        links = "".join(f'<tr><td><a href="{q}.txt.gz">[ Gzip\'d Text ]</a></td></tr>'
                        for q in quarters)
        (site / "index.html").write_text(f"<html><body><table>{links}</table></body></html>")

    write_index(QUARTERS[:2])
    Handler.fail, Handler.log = {}, []
    root = str(tmp_path / "site")

    class H(Handler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=root, **kw)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/pipermail/"
    yield base, write_index, site
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def fast(monkeypatch):
    monkeypatch.setattr(fetch.Fetcher.__init__, "__defaults__", (0.0, 4, 0.01, 10.0))


def _downloads():
    return [p for p, _ in Handler.log if p.endswith((".gz", ".txt"))]


def _ids(ws):
    return {r[0] for r in ws.db.execute("SELECT message_id FROM messages")}


@pytest.mark.slow
def test_crawl_incremental_and_resumable(ingest, server, tmp_path):
    base, write_index, site = server
    url = base + "r-sig-teaching/"
    ws, rep = ingest(url)
    assert rep.errors == []
    assert len(_downloads()) == 2
    assert all(ua == fetch.USER_AGENT for _, ua in Handler.log)
    local, _ = ingest(*(site / f"{q}.txt.gz" for q in QUARTERS[:2]))
    assert _ids(ws) == _ids(local) and stored(ws) > 0
    # second run: nothing new is downloaded (the newest archive gets a conditional GET)
    Handler.log.clear()
    ws, rep = ingest(url, ws=ws)
    assert rep.added == 0 and _downloads() == [] or all(
        p.endswith(QUARTERS[1] + ".txt.gz") for p in _downloads())
    assert rep.added == 0
    # a new quarter appears: only it is fetched
    write_index(QUARTERS)
    Handler.log.clear()
    n0 = stored(ws)
    ws, rep = ingest(url, ws=ws)
    fetched = _downloads()
    assert fetched and all(p.endswith(QUARTERS[2] + ".txt.gz") for p in fetched)
    local3, _ = ingest(*(site / f"{q}.txt.gz" for q in QUARTERS))
    assert _ids(ws) == _ids(local3) and stored(ws) > n0


@pytest.mark.slow
def test_server_errors_and_dropped_connection(ingest, server):
    base, write_index, site = server
    write_index(QUARTERS)
    url = base + "r-sig-teaching/"
    # transient 503 and a dropped connection are retried; a persistent 500 fails that file
    Handler.fail = {"/pipermail/r-sig-teaching/2007q1.txt.gz": ["503", "drop"],
                    "/pipermail/r-sig-teaching/2010q3.txt.gz": ["500"] * 10}
    ws, rep = ingest(url)
    assert any("2010q3" in e.source or "2010q3" in e.error for e in rep.errors)
    partial = stored(ws)
    assert partial > 0
    # the workspace is consistent: every stored message came from a fully ingested file
    assert ws.db.execute("SELECT count(*) FROM sources WHERE status != 'done' "
                         "AND format IS NOT 'digest'").fetchone()[0] == 0
    Handler.fail = {}
    Handler.log.clear()
    ws, rep = ingest(url, ws=ws)
    assert rep.errors == []
    assert any(p.endswith("2010q3.txt.gz") for p in _downloads())
    assert not any(p.endswith("2007q1.txt.gz") for p in _downloads())
    local, _ = ingest(*(site / f"{q}.txt.gz" for q in QUARTERS))
    assert _ids(ws) == _ids(local)


def test_perceval_index_discovery(ingest, server, corpora):
    base, _, _ = server
    html = (corpora / "perceval-fixtures" / "pipermail" / "pipermail_index.html").read_text()
    urls = fetch.pipermail_archives(html, "http://h/pipermail/x/")
    assert urls and all(u.startswith("http://h/pipermail/x/") for u in urls)
    ws, rep = ingest(base + "perceval/")
    assert rep.errors == [] and stored(ws) > 0


def test_hyperkitty_export_urls():
    html = '<a href="/hyperkitty/list/gov@lists.example.org/2016/4/">April</a>' \
           '<a href="/hyperkitty/list/gov@lists.example.org/2016/12/">Dec</a>'
    urls = fetch.hyperkitty_archives(
        html, "https://lists.example.org/hyperkitty/list/gov@lists.example.org/")
    assert urls == [
        "https://lists.example.org/hyperkitty/list/gov@lists.example.org/export/"
        "gov-2016-04.mbox.gz?start=2016-04-01&end=2016-05-01",
        "https://lists.example.org/hyperkitty/list/gov@lists.example.org/export/"
        "gov-2016-12.mbox.gz?start=2016-12-01&end=2017-01-01"]
