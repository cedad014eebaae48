"""Hypermail (and Mailman 2 pipermail) HTML message pages: one message per page.

Hypermail writes machine-readable comments at the top of every message page
(``<!-- id="…" -->``, ``<!-- inreplyto="…" -->``, ``<!-- isosent="19980119032225" -->``,
``<!-- name="…" -->``, ``<!-- email="…" -->``, ``<!-- subject="…" -->``); those are
trusted over the visible text. The body sits between ``<!-- body="start" -->`` and
``<!-- body="end" -->``; quoted lines are ``<em class="quotelevN">`` spans, kept as
``quote_levels`` and rendered with "> " prefixes so the segmenter sees them.
Pipermail message pages (``<!--beginarticle-->`` … ``<!--endarticle-->``, a ``<pre>``
body) are read by the same adapter.
"""
from __future__ import annotations

import html as _html
import re
from collections.abc import Iterator
from datetime import datetime, timezone

from miner.ingest import headers as H
from miner.ingest.mime import _links  # noqa: PLC2701 - the same link extraction as mail
from miner.ingest.formats import read_all
from miner.types import ParsedMessage, SourceItem

MAX_PAGE = 64 * 1024 * 1024
_COMMENT = re.compile(r"<!--\s*([a-z]+)=\"(.*?)\"\s*-->", re.S)
_ISO = re.compile(r"<!--\s*isosent=\"?(\d{14})\"?\s*-->")
_BODY = re.compile(r"<!--\s*body=\"start\"\s*-->(.*?)<!--\s*body=\"end\"\s*-->", re.S)
_ARTICLE = re.compile(r"<!--beginarticle-->(.*?)<!--endarticle-->", re.S)
_ADDRESS = re.compile(r"<address class=\"headers\">.*?</address>", re.S | re.I)
_PRE = re.compile(r"<pre[^>]*>(.*?)</pre>", re.S | re.I)
_QUOTE_OPEN = re.compile(r"<(?:em|span) class=\"quotelev(\d)\">", re.I)
_QUOTE_CLOSE = re.compile(r"</(?:em|span)>", re.I)
_BR = re.compile(r"\n?<br\s*/?>\n?", re.I)
_TAG = re.compile(r"<[^>]+>")
_TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)
_PM_H1 = re.compile(r"<h1>(.*?)</h1>", re.S | re.I)
_PM_FROM = re.compile(r"<b>(.*?)</b>\s*<a href=\"mailto:[^\"]*\"[^>]*>\s*(.*?)\s*</a>", re.S | re.I)
_PM_DATE = re.compile(r"<i>(.*?)</i>", re.S | re.I)
_REPLIED = re.compile(r"href=\"([^\"#/]+\.html)\"\s+title=\"Message to which this message replies\"")
_OPEN = "\x01"
_CLOSE = "\x02"


class PageError(Exception):
    """The page holds no message we can read (the adapter quarantines it)."""


def _text(fragment: str) -> str:
    return _html.unescape(_TAG.sub("", fragment))


def render_body(body_html: str) -> tuple[str, tuple[int, ...]]:
    """(plain text, per-line quote depth) of a Hypermail / pipermail body fragment."""
    frag = _ADDRESS.sub("", body_html)
    pre = _PRE.search(frag)
    if pre and "<br" not in frag[: pre.start()].lower() and frag.count("<br") < 3:
        frag = pre.group(1)
    else:
        frag = re.sub(r"\n(</(?:em|span)>)", r"\1\n", frag)
        frag = _BR.sub("\n", frag)
    frag = _QUOTE_OPEN.sub(lambda m: _OPEN + m.group(1), frag)
    frag = re.sub(r"</em>|</span>", lambda m: _CLOSE, frag, flags=re.I)
    text = _text(frag)
    lines, levels = [], []
    depth = 0
    for line in text.split("\n"):
        level = depth
        out = []
        i = 0
        while i < len(line):
            c = line[i]
            if c == _OPEN and i + 1 < len(line) and line[i + 1].isdigit():
                depth = int(line[i + 1])
                level = max(level, depth)
                i += 2
                continue
            if c == _CLOSE:
                depth = 0
                i += 1
                continue
            out.append(c)
            i += 1
        s = "".join(out).rstrip()
        if level and not s.lstrip().startswith(">"):
            s = "> " * level + s
        lines.append(s)
        levels.append(level)
    while lines and not lines[0].strip():
        lines.pop(0)
        levels.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
        levels.pop()
    return "\n".join(lines) + "\n", tuple(levels)


def _iso(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _mid(value: str | None) -> str | None:
    """A message id from a comment; None for Hypermail's subject-only ``inreplyto``."""
    if not value:
        return None
    v = _html.unescape(value).strip().strip("<>").strip()
    if not v or any(ch.isspace() for ch in v) or ("@" not in v and "." not in v):
        return None
    return H.parse_msgid(v) or None


def replied_page(page: str) -> str | None:
    """The file name of the page this one replies to (from the navigation links)."""
    m = _REPLIED.search(page)
    return _html.unescape(m.group(1)) if m else None


def page_id(data: bytes) -> str | None:
    """The message id in a page's ``<!-- id="…" -->`` comment."""
    m = re.search(rb"<!--\s*id=\"(.*?)\"\s*-->", data[:20000])
    return _mid(m.group(1).decode("utf-8", "replace")) if m else None


def parse_hypermail(page: str, *, list_name: str | None = None,
                    permalink: str | None = None, resolve=None) -> ParsedMessage:
    """Decode one Hypermail message page (raises :class:`PageError` when it is not one).

    ``resolve(file_name) -> message id | None`` looks up the page a reply points to, for
    pages whose ``inreplyto`` comment holds a subject instead of an id.
    """
    c: dict[str, str] = {}
    for k, v in _COMMENT.findall(page[:200_000]):
        c.setdefault(k, v)
    body_m = _BODY.search(page)
    if "id" not in c and body_m is None:
        raise PageError("no Hypermail id comment and no message body: not a message page")
    problems: list[str] = []
    iso = _ISO.search(page[:200_000])
    date = _iso(iso.group(1)) if iso else None
    date_source = "header"
    if date is None:
        date = H.parse_date(_html.unescape(c.get("sent", ""))) or H.parse_date(
            _html.unescape(c.get("received", "")))
        if date is None:
            date_source = "none"
            problems.append("no date on the page")
    subject = _html.unescape(c.get("subject", ""))
    if not subject:
        t = _TITLE.search(page)
        subject = _text(t.group(1)).strip() if t else ""
    name = _html.unescape(c.get("name", "")).strip()
    email = _html.unescape(c.get("email", "")).strip()
    mid = _mid(c.get("id"))
    if mid is None:
        problems.append("no message id on the page")
    irt = _mid(c.get("inreplyto"))
    if irt is None and resolve is not None and (target := replied_page(page)):
        irt = resolve(target)
    body, levels = render_body(body_m.group(1) if body_m else "")
    hdrs = [("From", f"{name} <{email}>" if email else name), ("Subject", subject),
            ("Date", c.get("sent", ""))]
    if mid:
        hdrs.append(("Message-ID", f"<{mid}>"))
    if irt:
        hdrs.append(("In-Reply-To", f"<{irt}>"))
    return ParsedMessage(
        message_id=mid, subject=subject, from_name=name, from_email=email, date=date,
        date_source=date_source, in_reply_to=irt, references=(irt,) if irt else (),
        body=body, headers=tuple(hdrs), links=_links(body), problems=tuple(problems),
        list_name=list_name, html=True, permalink=permalink, quote_levels=levels,
    )


def parse_pipermail_page(page: str, *, list_name: str | None = None,
                         permalink: str | None = None) -> ParsedMessage:
    """Decode one Mailman 2 pipermail HTML message page (``000123.html``)."""
    art = _ARTICLE.search(page)
    if art is None:
        raise PageError("no <!--beginarticle--> marker: not a pipermail message page")
    head = page[: art.start()]
    subject = _text(_PM_H1.search(head).group(1)).strip() if _PM_H1.search(head) else ""
    fm = _PM_FROM.search(head)
    name = _text(fm.group(1)).strip() if fm else ""
    email = _text(fm.group(2)).strip().replace(" at ", "@") if fm else ""
    dm = _PM_DATE.search(head[fm.end():] if fm else head)
    date = H.parse_date(_text(dm.group(1))) if dm else None
    irt = None
    m = re.search(r"In-Reply-To=([^\"&]+)", head)
    if m:
        from urllib.parse import unquote_plus

        irt = H.parse_msgid(unquote_plus(_html.unescape(m.group(1))))
    body, levels = render_body(art.group(1))
    return ParsedMessage(
        message_id=None, subject=subject, from_name=name, from_email=email, date=date,
        date_source="header" if date else "none", in_reply_to=irt,
        references=(irt,) if irt else (), body=body,
        headers=(("From", f"{name} <{email}>"), ("Subject", subject)), links=_links(body),
        problems=() if date else ("no date on the page",), list_name=list_name, html=True,
        permalink=permalink, quote_levels=levels,
    )


def decode_page(data: bytes) -> str:
    """Text of an HTML page: its declared charset, else UTF-8, else Latin-1."""
    m = re.search(rb"charset=[\"']?([A-Za-z0-9_.:-]+)", data[:4096])
    for enc in ([m.group(1).decode("ascii")] if m else []) + ["utf-8", "windows-1252"]:
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def is_index_page(head: bytes) -> bool:
    """Whether ``head`` is an archive index page (by thread / date / period) of
    Hypermail, W3C or pipermail: it lists messages but holds none."""
    low = head[:20000].lower()
    if b"<!-- body=\"start\" -->" in low or b"<!--beginarticle-->" in low:
        return False
    return (b"hypermail" in low or b"pipermail" in low or b"mail archives" in low
            or b"archives</title>" in low or b"by thread" in low) and b"<html" in low


def _sibling_id(source: str, name: str) -> str | None:
    """The id of page ``name`` next to ``source`` on disk (not inside containers)."""
    if "!" in source:
        return None
    from pathlib import Path

    p = Path(source).parent / name
    try:
        with open(p, "rb") as f:
            return page_id(f.read(20000))
    except OSError:
        return None


class HypermailAdapter:
    """Hypermail / pipermail HTML message pages, one message per file."""

    name = "hypermail"
    description = "Hypermail or Mailman 2 pipermail HTML message page (.html)"

    def sniff(self, head: bytes, path: str) -> float:
        low = head[:8192].lower()
        if b"<html" not in low and b"<!doctype html" not in low:
            return 0.0
        if b"<!-- id=\"" in head and (b"hypermail" in low or b"<!-- body=\"start\"" in head):
            return 0.9
        if b"<!--beginarticle-->" in head or (b"pipermail" in low and b"<!--htdig_noindex-->" in low):
            return 0.85
        if is_index_page(head):
            return 0.4  # an index page: claimed, holds no message
        return 0.0

    def list_and_link(self, page: str, source: str) -> tuple[str | None, str | None]:
        return None, None

    def iter_items(self, f, source: str) -> Iterator[SourceItem]:
        data = read_all(f, MAX_PAGE)
        if len(data) > MAX_PAGE:
            yield SourceItem(source, "page", raw=data[:MAX_PAGE], error="HTML page too large")
            return
        page = decode_page(data)
        if b"<!-- id=\"" not in data and b"<!--beginarticle-->" not in data \
                and is_index_page(data):
            return  # an index page: no message of its own
        lst, link = self.list_and_link(page, source)
        try:
            if b"<!--beginarticle-->" in data:
                parsed = parse_pipermail_page(page, list_name=lst, permalink=link)
            else:
                parsed = parse_hypermail(page, list_name=lst, permalink=link,
                                         resolve=lambda name: _sibling_id(source, name))
        except PageError as e:
            yield SourceItem(source, "page", raw=data, error=str(e))
            return
        yield SourceItem(source, "page", raw=data, parsed=parsed, list_name=lst)
