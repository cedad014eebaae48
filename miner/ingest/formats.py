"""Registration of the archive formats beyond mbox / Maildir / eml / pipermail, and the
post-parse hook that expands digests.

``miner.ingest`` imports this module once; it registers every adapter below with
:mod:`miner.ingest.detect`. Adapters that are variants of a generic format (a HyperKitty
or Google Groups mbox is also an mbox) are placed *before* the generic ones, so that a
tie in the sniff score goes to the more specific reading.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from miner.ingest import detect as _detect
from miner.ingest.mbox import MboxAdapter
from miner.ingest.mime import ParseFailure, parse_bytes
from miner.types import ParsedMessage, SourceItem

# What ``read_sources`` callers may pass as ``options`` (e.g. ``{"map": {...}}``).
OPTIONS: dict = {}


class MboxVariant(MboxAdapter):
    """An mbox whose messages get platform-specific metadata (list, permalink, labels).

    Subclasses set ``name``/``description``, implement ``sniff`` and ``enrich``.
    Messages are parsed here (so ``enrich`` can add to them); a parse failure is
    passed on as an error item and quarantined, as for plain mbox.
    """

    obfuscated = False  # addresses written "user at domain" (pipermail-style exports)

    def enrich(self, p: ParsedMessage, item: SourceItem) -> ParsedMessage:
        return p

    def parse(self, item: SourceItem) -> ParsedMessage:
        if self.obfuscated:
            from miner.ingest.pipermail import parse_pipermail

            return parse_pipermail(item.raw or b"", fallback_date=item.fallback_date,
                                   list_name=item.list_name)
        return parse_bytes(item.raw or b"", fallback_date=item.fallback_date,
                           list_name=item.list_name)

    def iter_items(self, f, source: str) -> Iterator[SourceItem]:
        for item in super().iter_items(f, source):
            if item.error is not None:
                yield item
                continue
            try:
                p = self.parse(item)
            except ParseFailure as e:
                yield dataclasses.replace(item, error=e.reason)
                continue
            yield dataclasses.replace(item, parsed=self.enrich(p, item))


def read_all(f, limit: int) -> bytes:
    """Up to ``limit`` bytes of a stream, looping over short reads (at most ``limit + 1``
    are returned, so callers can tell a file that is too large)."""
    parts, got = [], 0
    while got <= limit:
        chunk = f.read(min(1 << 20, limit + 1 - got))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def header(p: ParsedMessage, name: str) -> str | None:
    """The first header ``name`` (case-insensitive) of a parsed message."""
    low = name.lower()
    return next((v for n, v in p.headers if n.lower() == low), None)


def expand_digests(triples: Iterable[tuple[SourceItem, ParsedMessage | None, str | None]],
                   conn=None, source_id: int | None = None):
    """Post-parse hook of the ingest run: a digest is replaced by its messages.

    Yields the (item, parsed, error) triples it is given, except that a message which is
    a MIME ``multipart/digest`` or a Mailman plain-text digest is expanded into one triple
    per contained message (with ``digest_of`` set to the digest's Message-ID). With
    ``conn``, the digest itself is recorded as a source container (a ``sources`` row named
    ``SOURCE!digest:<id>`` plus its raw bytes), not stored as a message.
    """
    from miner.ingest.digest import split_digest

    for item, parsed, error in triples:
        if parsed is None:
            yield item, parsed, error
            continue
        parts = split_digest(item, parsed)
        if parts is None:
            yield item, parsed, error
            continue
        if conn is not None:
            from miner.ingest.digest import record_container

            record_container(conn, item, parsed, len(parts))
        for part in parts:
            if part.parsed is None:
                yield part, None, part.error or "unreadable digest part"
            else:
                yield part, part.parsed, None


_DIGEST_HINTS = (b"multipart/digest", b"Today's Topics")


def expand_digest_items(items: Iterable[SourceItem], conn=None) -> Iterator[SourceItem]:
    """Item-level form of :func:`expand_digests` for the ingest run: a digest item is
    replaced by one (parsed, or error) item per contained message. Only items whose bytes
    or body look like a digest (a cheap test) are parsed here; the rest pass untouched."""
    from miner.ingest.digest import record_container, split_digest

    for item in items:
        if item.error is not None:
            yield item
            continue
        p = item.parsed
        if p is None:
            raw = item.raw or b""
            if _DIGEST_HINTS[0] not in raw and _DIGEST_HINTS[1] not in raw:  # no generator
                yield item
                continue
            try:
                p = parse_bytes(raw, fallback_date=item.fallback_date, list_name=item.list_name)
            except ParseFailure:
                yield item  # the run quarantines it with the reason
                continue
        elif "Today's Topics" not in p.body and "digest" not in (header(p, "Content-Type")
                                                                   or "").lower():
            yield item
            continue
        parts = split_digest(item, p)
        if parts is None:
            yield item
            continue
        if conn is not None:
            record_container(conn, item, p, len(parts))
        yield from parts


def _register_all() -> None:
    from miner.ingest.discourse import DiscourseAdapter
    from miner.ingest.googlegroups import GoogleGroupsAdapter
    from miner.ingest.groupsio import GroupsioAdapter
    from miner.ingest.hyperkitty import HyperkittyAdapter
    from miner.ingest.hypermail import HypermailAdapter
    from miner.ingest.listserv import ListservAdapter
    from miner.ingest.nntp import NntpAdapter
    from miner.ingest.tabular import TabularAdapter
    from miner.ingest.w3c import W3CAdapter

    specific = [HyperkittyAdapter(), GoogleGroupsAdapter(), GroupsioAdapter(), NntpAdapter(),
                W3CAdapter()]
    generic = dict(_detect.FILE_ADAPTERS)
    _detect.FILE_ADAPTERS.clear()
    for a in specific:
        _detect.register(a)
    _detect.FILE_ADAPTERS.update(generic)
    for a in (HypermailAdapter(), ListservAdapter(), DiscourseAdapter(), TabularAdapter()):
        _detect.register(a)



def detect_file(head: bytes, name: str, forced: str | None = None,
                options: dict | None = None):
    """The adapter for one file, like :func:`miner.ingest.detect.detect`, plus binary
    table formats (Parquet) and per-run options (``{"map": "subject=title,..."}``)."""
    from miner.ingest.tabular import _kind

    tab = _detect.FILE_ADAPTERS["tabular"]
    lsv = _detect.FILE_ADAPTERS["listserv"]
    if forced in (None, "listserv") and lsv.sniff(head, name) > 0 and b"\x00" in head[:8192]:
        return lsv  # LISTSERV's binary DBNAMES index: claimed, holds no message
    if forced in (None, "tabular") and (
            (head.startswith(b"PAR1") and _kind(name, head) == "parquet")
            or (options and options.get("map") and _kind(name, head) is not None)):
        adapter = tab
    else:
        adapter = _detect.detect(head, name, forced)
    if options and hasattr(adapter, "with_options"):
        adapter = adapter.with_options(options)
    return adapter


_register_all()
