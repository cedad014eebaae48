"""A small, tolerant MIME tree walker over bytes (no ``email`` feedparser).

Splits multipart bodies on their boundary lines by hand: faster than the stdlib parser
(which compiles a regex per boundary) and forgiving of missing closing boundaries,
bad base64 and undeclared charsets. Yields the text parts to show and the attachments
to record.
"""
from __future__ import annotations

import binascii
import functools
import re
from urllib.parse import unquote_to_bytes

from miner.ingest import headers as H
from miner.ingest.charsets import decode_bytes, same_codec
from miner.types import Attachment

_PARAMS = re.compile(r';\s*([!#-\'*+.0-9A-Z^-~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]*))', re.I)
MAX_DEPTH = 20


def split_head(raw: bytes) -> tuple[bytes, bytes]:
    """Split raw (LF line ends) into header block and body at the first empty line."""
    if raw.startswith(b"\n"):
        return b"", raw[1:]
    i = raw.find(b"\n\n")
    if i < 0:
        return raw, b""
    return raw[: i + 1], raw[i + 2 :]


_FIELD = re.compile(r"^([!-9;-~]+)[ \t]*:[ \t]*(.*)", re.M)


def parse_header_block(head: bytes) -> tuple[list[tuple[str, str]], int, set[str]]:
    """Header (name, value) pairs in order, unfolded and decoded to text (raw 8-bit
    values via UTF-8 / detection); the count of junk lines; names that held raw 8-bit."""
    ascii_ = head.isascii()
    text = head.decode("ascii" if ascii_ else "latin-1")
    if "\n " in text or "\n\t" in text:  # unfold (extra blanks are harmless)
        text = text.replace("\n\t", " ").replace("\n ", " ")
    fields = _FIELD.findall(text)
    lines = text.count("\n") + (0 if text.endswith("\n") else 1) - text.count("\n\n")
    junk = lines - len(fields) - (1 if text.startswith("From ") else 0)
    eight: set[str] = set()
    if not ascii_:
        fixed = []
        for name, val in fields:
            if not val.isascii():
                val = H.decode_raw_header(val.encode("latin-1"))[0]
                eight.add(name.lower())
            fixed.append((name, val))
        fields = fixed
    return fields, max(junk, 0), eight


def content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """(lower-case type/subtype, parameters) of a Content-Type or -Disposition value."""
    if not value:
        return "", {}
    ctype, params = _content_type(value)
    return ctype, dict(params)


@functools.lru_cache(maxsize=4096)
def _content_type(value: str) -> tuple[str, dict[str, str]]:
    # Cached: a list's Content-Type values recur ("text/plain; charset=utf-8; format=flowed");
    # the caller gets a copy of the parameters.
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    if rest:
        for m in _PARAMS.finditer(";" + rest):
            key = m.group(1).lower()
            raw = m.group(2) if m.group(2) is not None else m.group(3)
            if "*" in key:  # RFC 2231: name*=charset'lang'%xx, or name*0=, name*1*=
                base = key.split("*", 1)[0]
                text = raw
                if key.endswith("*") and raw.count("'") >= 2:
                    cs, _, val = raw.split("'", 2)
                    text = decode_bytes(unquote_to_bytes(val), cs)[0]
                elif key.endswith("*"):
                    text = unquote_to_bytes(raw).decode("utf-8", "replace")
                params[base] = params.get(base, "") + text
                continue
            params.setdefault(key, raw)
    return main.strip().lower(), params


def b64_lenient(data: bytes) -> tuple[bytes, bool]:
    """Decode base64, recovering what decodes from damaged input; (bytes, was_damaged)."""
    try:
        return binascii.a2b_base64(data, strict_mode=False), False
    except binascii.Error:
        pass
    clean = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
    if len(clean) % 4 == 1:
        clean = clean[:-1]
    try:
        return binascii.a2b_base64(clean + b"=" * (-len(clean) % 4)), True
    except binascii.Error:
        return b"", True


def decode_cte(payload: bytes, cte: str, where: str, problems: list[str]) -> bytes:
    cte = cte.strip().lower()
    if cte == "base64":
        data, bad = b64_lenient(payload)
        if bad:
            problems.append(f"bad base64 in {where}")
        return data
    if cte == "quoted-printable":
        return binascii.a2b_qp(payload)
    return payload


def decode_text(data: bytes, charset: str | None, where: str, problems: list[str]) -> str:
    text, used = decode_bytes(data, charset)
    if not data.isascii() and not same_codec(charset, used):
        if charset:
            problems.append(f"charset {charset!r} of {where} decoded as {used}")
        else:
            problems.append(f"undeclared charset of {where} detected as {used}")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_multipart(body: bytes, boundary: str) -> tuple[list[bytes], bool]:
    """Parts of a multipart body, and whether the closing boundary was found."""
    marker = b"\n--" + boundary.encode("latin-1", "replace")
    text = b"\n" + body
    parts: list[bytes] = []
    pos = text.find(marker)
    if pos < 0:
        return [], False
    while True:
        eol = text.find(b"\n", pos + 1)
        after = text[pos + len(marker) : pos + len(marker) + 2]
        if after == b"--":
            return parts, True
        if eol < 0:
            return parts, False
        nxt = text.find(marker, eol)
        while nxt >= 0 and text[nxt + len(marker) : nxt + len(marker) + 1] not in (
            b"-", b"\n", b" ", b"\t", b"\r", b"",
        ):
            nxt = text.find(marker, nxt + 1)
        if nxt < 0:
            parts.append(text[eol + 1 :])
            return parts, False
        parts.append(text[eol + 1 : nxt])
        pos = nxt


class Walker:
    """Collects text parts ((kind, text) with kind "plain" or "html") and attachments."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        self.attachments: list[Attachment] = []
        self.n = 0

    def part(self, raw: bytes, depth: int, default: str = "text/plain") -> list[tuple[str, str]]:
        head, body = split_head(raw)
        fields, _, _ = parse_header_block(head)
        hd: dict[str, str] = {}
        for name, val in fields:
            hd.setdefault(name.lower(), val)
        return self.entity(hd, body, depth, default)

    def entity(self, hd: dict[str, str], body: bytes, depth: int,
               default: str = "text/plain") -> list[tuple[str, str]]:
        ctype, params = content_type(hd.get("content-type"))
        ctype = ctype or default
        if ctype.startswith("multipart/") and depth < MAX_DEPTH:
            boundary = params.get("boundary")
            parts, closed = split_multipart(body, boundary) if boundary else ([], False)
            if parts:
                if not closed:
                    self.problems.append(f"missing closing boundary in {ctype}")
                return self.multipart(ctype, parts, depth)
            self.problems.append(f"{ctype} without usable boundary: read as text")
            ctype = "text/plain"
        self.n += 1
        where = f"part {self.n}"
        data = decode_cte(body, hd.get("content-transfer-encoding", ""), where, self.problems)
        disp, dparams = content_type(hd.get("content-disposition"))
        filename = dparams.get("filename") or params.get("name")
        if filename and "=?" in filename:
            filename = H.decode_words(filename)[0]
        attached = disp == "attachment" or (filename is not None and disp != "inline")
        if ctype in ("text/plain", "text", "text/html") and not attached:
            text = decode_text(data, params.get("charset"), where, self.problems)
            return [("html" if ctype == "text/html" else "plain", text)]
        if ctype == "application/pgp-signature":
            return []
        self.attachments.append(Attachment(filename or None, ctype, len(data)))
        return []

    def multipart(self, ctype: str, parts: list[bytes], depth: int) -> list[tuple[str, str]]:
        default = "message/rfc822" if ctype == "multipart/digest" else "text/plain"
        if ctype == "multipart/alternative":
            results = [self.part(p, depth + 1, default) for p in parts]
            for res in results:
                if res and all(k == "plain" for k, _ in res) and any(t.strip() for _, t in res):
                    return res
            for res in results:
                if res:
                    return res
            return []
        if ctype == "multipart/signed":
            return self.part(parts[0], depth + 1) if parts else []
        out: list[tuple[str, str]] = []
        for p in parts:
            out.extend(self.part(p, depth + 1, default))
        return out
