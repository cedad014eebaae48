"""Digests split back into their messages.

Two shapes: MIME digests (a ``multipart/digest`` part, possibly inside the
``multipart/mixed`` Mailman sends, whose parts are ``message/rfc822``) and Mailman
plain-text digests ("Today's Topics:", then numbered ``Message: N`` parts between lines
of 30 dashes, ending with "End of LIST Digest, Vol V, Issue I"). Each contained message
becomes its own item with ``digest_of`` = the digest's Message-ID, so the store can
de-duplicate it against the same message received individually; the digest itself is
kept only as a source container (see :func:`record_container`).
"""
from __future__ import annotations

import dataclasses
import email
import hashlib
import re
import zlib
from email import policy

from miner.ingest.mime import ParseFailure, parse_bytes
from miner.types import ParsedMessage, SourceItem

_TOPICS = re.compile(r"^Today's Topics:?\s*$", re.M | re.I)
_MESSAGE_N = re.compile(r"^Message: (\d+)\s*$", re.M)
_PART_SEP = re.compile(r"^-{30}\s*$", re.M)
_TOPICS_END = re.compile(r"^-{60,}\s*$", re.M)
_END = re.compile(r"^End of .{0,200}?Digest\b.*$", re.M)
_FOOTER = re.compile(r"\n_{20,}\n.*\Z", re.S)
_SUBJECT = re.compile(r"\bDigest,? Vol(?:ume)? \d+,? Issue \d+", re.I)
_REPLY = re.compile(r"^\s*(?:re|fwd?|aw|sv|tr|rv)\s*:", re.I)
_DROP_HEADERS = ("content-type:", "content-transfer-encoding:", "mime-version:")
_OBFUSCATED_FROM = re.compile(r"^From:\s*\S+ at \S+", re.M)


def _content_type(p: ParsedMessage) -> str:
    return next((v for n, v in p.headers if n.lower() == "content-type"), "").lower()


def is_digest(p: ParsedMessage) -> str | None:
    """``"mime"``, ``"text"`` or None: whether (and how) ``p`` is a digest."""
    ctype = _content_type(p)
    if "multipart/digest" in ctype:
        return "mime"
    if ctype.startswith("multipart/") and _SUBJECT.search(p.subject) \
            and not _REPLY.match(p.subject):
        return "mime"
    if (_SUBJECT.search(p.subject) and not _REPLY.match(p.subject)
            and _TOPICS.search(p.body) and _MESSAGE_N.search(p.body)):
        return "text"  # (a reply quoting a digest is a message of its own)
    return None


def split_digest(item: SourceItem, p: ParsedMessage) -> list[SourceItem] | None:
    """The messages in digest ``p`` as items, or None when ``p`` is not a digest."""
    kind = is_digest(p)
    if kind is None:
        return None
    raws = _mime_parts(item.raw) if kind == "mime" and item.raw else []
    if kind == "mime" and not raws and _TOPICS.search(p.body):
        kind = "text"
    if kind == "text":
        raws = _text_parts(p.body)
    if not raws:
        return None
    digest_id = p.message_id or "sha1:" + hashlib.sha1(item.raw or p.body.encode()).hexdigest()
    lst = p.list_name or item.list_name
    out = []
    for n, raw in raws:
        where = f"{item.where} digest message {n}".strip()
        try:
            if _OBFUSCATED_FROM.search(raw.split(b"\n\n", 1)[0].decode("utf-8", "replace")):
                from miner.ingest.pipermail import parse_pipermail

                part = parse_pipermail(raw, fallback_date=p.date, list_name=lst)
            else:
                part = parse_bytes(raw, fallback_date=p.date, list_name=lst)
        except ParseFailure as e:
            out.append(SourceItem(item.source, where, raw=raw, error=e.reason, list_name=lst))
            continue
        part = dataclasses.replace(part, digest_of=digest_id, list_name=part.list_name or lst)
        out.append(SourceItem(item.source, where, raw=raw, parsed=part, list_name=lst,
                              fallback_date=p.date))
    return out


def _text_parts(body: str) -> list[tuple[int, bytes]]:
    """(number, RFC 822 bytes) of each ``Message: N`` part of a plain-text digest."""
    start = _TOPICS.search(body)
    pos = start.end() if start else 0
    sep = _TOPICS_END.search(body, pos)
    if sep:
        pos = sep.end()
    end = _END.search(body, pos)
    text = body[pos: end.start() if end else len(body)]
    chunks = _PART_SEP.split(text)
    out = []
    for chunk in chunks:
        m = _MESSAGE_N.search(chunk)
        if not m or chunk[: m.start()].strip():
            continue
        rest = chunk[m.end():].lstrip("\n")
        head, _, msg_body = rest.partition("\n\n")
        lines = [ln for ln in head.split("\n")
                 if not ln.lower().startswith(_DROP_HEADERS)]
        lines.append("Content-Type: text/plain; charset=utf-8")
        msg_body = _FOOTER.sub("\n", msg_body).rstrip("\n") + "\n"
        out.append((int(m.group(1)), ("\n".join(lines) + "\n\n" + msg_body).encode("utf-8")))
    return out


def _mime_parts(raw: bytes) -> list[tuple[int, bytes]]:
    """(number, bytes) of each message/rfc822 part inside a multipart/digest."""
    try:
        msg = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception:  # noqa: BLE001 - not splittable: the digest stays one message
        return []
    out: list[tuple[int, bytes]] = []
    for part in msg.walk():
        if part.get_content_type() != "multipart/digest":
            continue
        for sub in part.get_payload() or []:
            if sub.get_content_type() == "message/rfc822":
                inner = sub.get_payload()
                inner = inner[0] if isinstance(inner, list) and inner else inner
                if hasattr(inner, "as_bytes"):
                    try:
                        out.append((len(out) + 1, inner.as_bytes()))
                    except Exception:  # noqa: BLE001 - fall back to the raw text of the part
                        out.append((len(out) + 1, str(inner).encode("utf-8", "replace")))
    return out


def record_container(conn, item: SourceItem, p: ParsedMessage, parts: int) -> None:
    """Keep the digest as a source container: a ``sources`` row and its raw bytes."""
    name = f"{item.source}!digest:{p.message_id or item.where}"
    conn.execute("INSERT OR IGNORE INTO sources(name, format, list, status, items) "
                 "VALUES (?, 'digest', ?, 'done', ?)", (name, p.list_name or item.list_name,
                                                        parts))
    row = conn.execute("SELECT id FROM sources WHERE name=?", (name,)).fetchone()
    if item.raw is not None and row is not None:
        conn.execute("INSERT OR IGNORE INTO raw_messages(key, source_id, \"where\", raw) "
                     "VALUES (?,?,?,?)", ("digest:" + (p.message_id or item.where), row[0],
                                          item.where, zlib.compress(item.raw, 1)))
