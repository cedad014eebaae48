"""Fetching a list's archive by URL, politely and incrementally.

``miner ingest https://host/pipermail/LIST/`` reads the pipermail index page, finds the
monthly (or quarterly) ``.txt.gz`` / ``.txt`` archives, downloads those the workspace does
not have yet into ``WORKSPACE/downloads/HOST/PATH``, and hands the local files to the
normal ingest path. A HyperKitty list URL (``…/hyperkitty/list/LIST@host/``) is read the
same way through its export endpoint, one month at a time.

Politeness: one request at a time over one connection, a delay between requests, a clear
User-Agent, retries with exponential back-off on 5xx answers and dropped connections,
and resumable downloads (``Range`` on the ``.part`` file). Incremental: every fetched URL
is recorded in the ``fetched`` table with its ETag, Last-Modified and size; an archive
already fetched is not asked for again, except the newest one of a list (the month that
may still grow), which gets a conditional request (``If-None-Match`` /
``If-Modified-Since``) and is re-downloaded only when it changed.
"""
from __future__ import annotations

import http.client
import logging
import os
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from miner.errors import SourceError

log = logging.getLogger(__name__)

USER_AGENT = "miner/0.1 (+mailing-list archive miner)"
DELAY = float(os.environ.get("MINER_FETCH_DELAY", "1.0"))  # seconds between requests
RETRIES = 4
BACKOFF = float(os.environ.get("MINER_FETCH_BACKOFF", "2.0"))  # first retry wait, doubles
TIMEOUT = 60.0
CHUNK = 1 << 16
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_ARCHIVE_LINK = re.compile(
    r"href=\"([^\"?#]*?((?:19|20)\d\d)(?:-(" + "|".join(_MONTHS) + r")|q([1-4]))"
    r"\.txt(?:\.gz)?)\"", re.I)
_HK_MONTH = re.compile(r"href=\"([^\"?#]*?/((?:19|20)\d\d)/(\d{1,2})/)\"")
_HK_LIST = re.compile(r"^(?P<base>.*?/(?:hyperkitty|archives)/list/(?P<list>[^/]+))/?", re.I)

_SCHEMA = """CREATE TABLE IF NOT EXISTS fetched (
    url TEXT PRIMARY KEY,
    list_url TEXT,
    path TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    size INTEGER,
    status TEXT NOT NULL DEFAULT 'done',
    error TEXT,
    fetched_at TEXT
)"""


def is_url(spec: str) -> bool:
    return spec.lower().startswith(("http://", "https://"))


class FetchError(SourceError):
    """A URL could not be fetched after the retries (says which, why, and what to do)."""


@dataclass
class FetchResult:
    """What one crawl of a list URL did."""

    url: str
    archives: int = 0  # archives listed on the index
    downloaded: list[str] = field(default_factory=list)  # URLs fetched in this run
    unchanged: int = 0
    files: list[Path] = field(default_factory=list)  # local files to ingest now
    errors: list[tuple[str, str]] = field(default_factory=list)


class Fetcher:
    """Sequential HTTP GETs with a delay, retries and back-off (stdlib ``urllib``)."""

    def __init__(self, *, delay: float = DELAY, retries: int = RETRIES,
                 backoff: float = BACKOFF, timeout: float = TIMEOUT) -> None:
        self.delay = delay
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self._last = 0.0
        self.requests = 0

    def _wait(self) -> None:
        gap = time.monotonic() - self._last
        if gap < self.delay:
            time.sleep(self.delay - gap)
        self._last = time.monotonic()

    def open(self, url: str, headers: dict[str, str] | None = None):
        """The response to GET ``url`` (a 304 is returned as None); retries transient
        failures with exponential back-off, raises :class:`FetchError` after the last."""
        wait = self.backoff
        last_error = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(wait)
                wait *= 2
            self._wait()
            self.requests += 1
            req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                       "Accept-Encoding": "identity",
                                                       **(headers or {})})
            try:
                return urllib.request.urlopen(req, timeout=self.timeout)  # noqa: S310
            except urllib.error.HTTPError as e:
                if e.code == 304:
                    return None
                last_error = f"HTTP {e.code} {e.reason}"
                if e.code not in (408, 429, 500, 502, 503, 504):
                    break
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError,
                    TimeoutError, OSError) as e:
                last_error = f"{type(e).__name__}: {getattr(e, 'reason', e)}"
            log.info("fetch %s failed (%s); attempt %d of %d", url, last_error, attempt + 1,
                     self.retries + 1)
        raise FetchError(f"{url}: {last_error}; check the URL, or run the same command again "
                         "later (what was fetched is kept)")

    def text(self, url: str) -> str:
        resp = self.open(url)
        with resp:
            data = resp.read()
            charset = resp.headers.get_content_charset() or "utf-8"
        return data.decode(charset, "replace")

    def download(self, url: str, dest: Path, known: dict | None = None) -> dict | None:
        """Download ``url`` to ``dest`` (via ``dest.part``, resumed with Range when it
        exists). With ``known`` (a previous row), a conditional GET: returns None when the
        server says the archive did not change. Returns the new validators."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        wait = self.backoff
        for attempt in range(self.retries + 1):
            headers: dict[str, str] = {}
            have = part.stat().st_size if part.exists() else 0
            if have:
                headers["Range"] = f"bytes={have}-"
            elif known:
                if known.get("etag"):
                    headers["If-None-Match"] = known["etag"]
                if known.get("last_modified"):
                    headers["If-Modified-Since"] = known["last_modified"]
            resp = self.open(url, headers)
            if resp is None:
                return None
            try:
                with resp:
                    status = resp.status
                    if known and not have and _same(known, resp.headers):
                        return None  # the server ignored the condition but nothing changed
                    mode = "ab" if have and status == 206 else "wb"
                    with open(part, mode) as out:
                        while True:
                            chunk = resp.read(CHUNK)
                            if not chunk:
                                break
                            out.write(chunk)
                    length = resp.headers.get("Content-Length")
                    got = part.stat().st_size - (have if mode == "ab" else 0)
                    if length is not None and got < int(length):
                        raise http.client.IncompleteRead(b"", int(length) - got)
                    validators = {"etag": resp.headers.get("ETag"),
                                  "last_modified": resp.headers.get("Last-Modified")}
            except (http.client.HTTPException, ConnectionError, TimeoutError, OSError) as e:
                log.info("download of %s cut (%s); resuming", url, e)
                if attempt == self.retries:
                    raise FetchError(f"{url}: download cut ({type(e).__name__}); run the same "
                                     "command again to resume it") from None
                time.sleep(wait)
                wait *= 2
                continue
            os.replace(part, dest)
            validators["size"] = dest.stat().st_size
            return validators
        raise FetchError(f"{url}: download failed; run the same command again to resume it")


def _same(known: dict, headers) -> bool:
    etag, lm, size = headers.get("ETag"), headers.get("Last-Modified"), headers.get("Content-Length")
    if etag and known.get("etag"):
        return etag == known["etag"]
    if lm and known.get("last_modified") and size is not None and known.get("size") is not None:
        return lm == known["last_modified"] and int(size) == int(known["size"])
    return False


def ensure_table(conn) -> None:
    """The ``fetched`` table (migration 002, created here too for older workspaces)."""
    conn.execute(_SCHEMA)


def local_path(downloads: Path, url: str) -> Path:
    """Where ``url`` is kept: ``downloads/HOST/PATH`` (query strings dropped)."""
    parts = urlsplit(url)
    segs = [s for s in unquote(parts.path).split("/") if s and s not in (".", "..")]
    host = re.sub(r"[^\w.-]", "_", parts.netloc)
    return downloads.joinpath(host, *[re.sub(r"[^\w.@+-]", "_", s) for s in segs])


def pipermail_archives(index_html: str, base: str) -> list[str]:
    """Absolute URLs of the archives an index page links to: one per period, ``.txt.gz``
    preferred over ``.txt``; oldest first."""
    best: dict[tuple[int, int], str] = {}
    for m in _ARCHIVE_LINK.finditer(index_html):
        href, year = m.group(1), int(m.group(2))
        period = (_MONTHS.index(m.group(3).lower()) + 1) if m.group(3) else \
            (3 * int(m.group(4)) - 2)
        key = (year, period)
        url = urljoin(base, href)
        if key not in best or (url.endswith(".gz") and not best[key].endswith(".gz")):
            best[key] = url
    return [best[k] for k in sorted(best)]


def hyperkitty_archives(list_html: str, list_url: str, today: date | None = None) -> list[str]:
    """Export URLs, one per month the list page links to (oldest first)."""
    m = _HK_LIST.match(list_url)
    if not m:
        raise SourceError(f"{list_url}: not a HyperKitty list URL (…/hyperkitty/list/NAME/)")
    base, name = m.group("base"), m.group("list")
    short = name.split("@", 1)[0]
    months = sorted({(int(y), int(mo)) for _, y, mo in _HK_MONTH.findall(list_html)
                     if 1 <= int(mo) <= 12})
    out = []
    for y, mo in months:
        ny, nm = (y + 1, 1) if mo == 12 else (y, mo + 1)
        out.append(f"{base}/export/{short}-{y:04d}-{mo:02d}.mbox.gz?start={y:04d}-{mo:02d}-01"
                   f"&end={ny:04d}-{nm:02d}-01")
    return out


def crawl(conn, downloads: Path, list_url: str, *, fetcher: Fetcher | None = None,
          ingested: set[str] | None = None) -> FetchResult:
    """Fetch the archives of the list at ``list_url`` that are not in the workspace yet."""
    fetcher = fetcher or Fetcher()
    ensure_table(conn)
    res = FetchResult(list_url)
    index = fetcher.text(list_url)
    if _HK_LIST.match(list_url):
        urls = hyperkitty_archives(index, list_url)
    else:
        urls = pipermail_archives(index, list_url)
    if not urls:
        raise SourceError(f"{list_url}: the page links to no pipermail .txt/.txt.gz archive "
                          "and no HyperKitty month; give the list's archive index URL")
    res.archives = len(urls)
    rows = {r[0]: dict(zip(("url", "path", "etag", "last_modified", "size", "status"), r))
            for r in conn.execute("SELECT url, path, etag, last_modified, size, status "
                                  "FROM fetched WHERE list_url=?", (list_url,))}
    newest = urls[-1]
    for url in urls:
        dest = local_path(downloads, url.split("?", 1)[0])
        known = rows.get(url)
        done = known is not None and known["status"] == "done" and Path(known["path"]).exists()
        if done and url != newest:
            _maybe_pending(res, dest, ingested)
            continue
        try:
            got = fetcher.download(url, dest, known if done else None)
        except FetchError as e:
            conn.execute(
                "INSERT INTO fetched(url, list_url, path, status, error, fetched_at) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT(url) DO UPDATE SET status=excluded.status, "
                "error=excluded.error, fetched_at=excluded.fetched_at WHERE status!='done'",
                (url, list_url, str(dest), "error", str(e), _now()))
            conn.commit()
            res.errors.append((url, str(e)))
            if done:
                _maybe_pending(res, dest, ingested)
            continue
        if got is None:
            res.unchanged += 1
            _maybe_pending(res, dest, ingested)
            continue
        conn.execute(
            "INSERT OR REPLACE INTO fetched(url, list_url, path, etag, last_modified, size, "
            "status, error, fetched_at) VALUES (?,?,?,?,?,?, 'done', NULL, ?)",
            (url, list_url, str(dest), got["etag"], got["last_modified"], got["size"], _now()))
        conn.commit()
        res.downloaded.append(url)
        res.files.append(dest)
    return res


def _maybe_pending(res: FetchResult, dest: Path, ingested: set[str] | None) -> None:
    """Queue an already downloaded file whose ingest did not complete."""
    if ingested is not None and str(dest) not in ingested and dest.exists():
        res.files.append(dest)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def localize(ws, specs: list[str], report, *, strict: bool = False,
             fetcher: Fetcher | None = None) -> list[str]:
    """``specs`` with every URL replaced by the local files to ingest from it.

    Errors on one archive are put in the report (the others still get fetched and
    ingested); with ``strict`` the first one is raised.
    """
    if not any(is_url(s) for s in specs):
        return specs
    conn = ws.db
    ensure_table(conn)
    ingested = {r[0] for r in conn.execute("SELECT name FROM sources WHERE status='done'")}
    out: list[str] = []
    for spec in specs:
        if not is_url(spec):
            out.append(spec)
            continue
        try:
            res = crawl(conn, ws.subdir("downloads"), spec, fetcher=fetcher, ingested=ingested)
        except SourceError as e:
            if strict:
                raise
            report.add_error(spec, "", str(e))
            continue
        for url, err in res.errors:
            if strict:
                raise FetchError(err)
            report.add_error(url, "", err)
        report.per_source.setdefault(spec, {
            "seen": 0, "added": 0, "duplicates": 0, "repaired": 0, "quarantined": 0}).update({
            "archives": res.archives, "downloaded": len(res.downloaded),
            "unchanged": res.unchanged, "fetch_errors": len(res.errors)})
        out.extend(str(p) for p in res.files)
    return out
