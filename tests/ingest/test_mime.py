"""parse_bytes: headers, charsets, transfer encodings, multiparts, dates, repairs."""
from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from miner.ingest.headers import decode_header, parse_date, parse_from, parse_refs
from miner.ingest.mime import ParseFailure, parse_bytes


def msg(headers: str, body: bytes = b"Hello.\n", extra: bytes = b"") -> bytes:
    return headers.strip().encode() + b"\n" + extra + b"\n" + body


BASE = "From: A <a@example.org>\nSubject: s\nDate: Mon, 4 Jan 2021 10:00:00 +0100\nMessage-ID: <m@x>"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("=?utf-8?q?Caf=C3=A9?=", "Café"),
        ("=?iso-8859-1?b?Q2Fm6Q==?=", "Café"),
        ("=?utf-8?q?a?= =?utf-8?q?b?=", "ab"),  # whitespace between words dropped
        ("=?utf-8?b?w6k=?==?utf-8?b?w6k=?=", "éé"),
        ("=?utf-8?q?caf=C3?= =?utf-8?q?=A9?=", "café"),  # character split across words
        ("=?iso-8859-8-i?q?=F9=EC=E5=ED?=", "שלום"),
        ("=?ks_c_5601-1987?b?vsiz58fPvLy/5A==?=", "안녕하세요"),
        ("=?utf-8*en?q?hi?=", "hi"),
        ("Re: plain", "Re: plain"),
    ],
)
def test_encoded_words(raw, expected):
    assert decode_header(raw)[0] == expected


def test_broken_encoded_word_noted():
    text, problems = decode_header("=?utf-8?q?broken_encoded=E2=80word Subject")
    assert "Subject" in text and problems


def test_raw_8bit_headers():
    assert decode_header("Grüße".encode())[0] == "Grüße"
    assert decode_header("Grüße".encode("cp1252"))[0] == "Grüße"


@pytest.mark.parametrize(
    "value, name, addr",
    [
        ('"Doe, John" <j@x.org>', "Doe, John", "j@x.org"),
        ("John Doe <j@x.org>", "John Doe", "j@x.org"),
        ("j@x.org (John Doe)", "John Doe", "j@x.org"),
        ("j@x.org", "", "j@x.org"),
        ("<j@x.org>", "", "j@x.org"),
        ("=?utf-8?b?5bGx55SwIOWkqumDjg==?= <y@x.org>", "山田 太郎", "y@x.org"),
    ],
)
def test_parse_from(value, name, addr):
    assert parse_from(value)[:2] == (name, addr)


@pytest.mark.parametrize(
    "value, iso",
    [
        ("Mon, 4 Jan 2021 10:00:00 +0100", "2021-01-04T09:00:00+00:00"),
        ("4 Jan 2021 10:00:00 -0500", "2021-01-04T15:00:00+00:00"),
        ("Mon, 04 Jan 21 10:00:00 +0000", "2021-01-04T10:00:00+00:00"),
        ("Thu Nov  1 11:19:12 2001", "2001-11-01T11:19:12+00:00"),
        ("Mon, 4 Jan 2021 10:00 +0000 (UTC)", "2021-01-04T10:00:00+00:00"),
        ("2021-01-04T10:00:00Z", "2021-01-04T10:00:00+00:00"),
    ],
)
def test_dates(value, iso):
    assert parse_date(value).isoformat() == iso


@pytest.mark.parametrize("value", ["sometime last tuesday", "Mon, 4 Jan 1066 10:00:00", "", "x"])
def test_absurd_dates_rejected(value):
    assert parse_date(value) is None


def test_refs():
    assert parse_refs("<a@x> <b@x>\n <a@x>") == ("a@x", "b@x")
    assert parse_refs("a@x b@y") == ("a@x", "b@y")
    assert parse_refs("message from X of today <c@z>") == ("c@z",)


def test_date_fallbacks():
    received = "Received: from a by b; Tue, 5 Jan 2021 11:00:00 +0000"
    p = parse_bytes(msg(f"From: a@x\nSubject: s\n{received}"))
    assert p.date_source == "received" and p.date.day == 5
    assert "date from Received header" in p.problems
    fb = datetime(2020, 3, 1, tzinfo=UTC)
    p = parse_bytes(msg("From: a@x\nDate: garbage"), fallback_date=fb)
    assert (p.date, p.date_source) == (fb, "archive")
    p = parse_bytes(msg("From: a@x"))
    assert (p.date, p.date_source) == (None, "none")


def test_ids_and_list():
    p = parse_bytes(msg(BASE + "\nIn-Reply-To: <p@x>\nReferences: <r@x> <p@x>\n"
                        "List-Id: Devel list <devel.lists.example.org>"))
    assert p.message_id == "m@x" and p.in_reply_to == "p@x"
    assert p.references == ("r@x", "p@x") and p.list_name == "devel"
    assert parse_bytes(msg(BASE), list_name="given").list_name == "given"


@pytest.mark.parametrize(
    "ctype, body, expected, note",
    [
        ("text/plain; charset=utf-8", "naïve €".encode(), "naïve €", None),
        ("text/plain", "café".encode("latin-1"), "café", "undeclared"),
        ("text/plain; charset=utf-8", "“smart” café".encode("cp1252"), "“smart” café", "decoded as"),
        ("text/plain; charset=iso-8859-1", "“smart” café".encode("cp1252"), "“smart” café", None),
        ("text/plain; charset=us-ascii", "naïve".encode(), "naïve", "decoded as"),
        ("text/plain; charset=x-unknown", "Grüße".encode("latin-1"), "Grüße", None),
        ("text/plain; charset=unknown-8bit", "Grüße".encode(), "Grüße", None),
        ("text/plain; charset=iso-8859-1", "Grüße".encode(), "Grüße", "decoded as"),
        ("text/plain; charset=koi8-r", "Привет".encode("koi8-r"), "Привет", None),
    ],
)
def test_charsets(ctype, body, expected, note):
    p = parse_bytes(msg(BASE + f"\nContent-Type: {ctype}", body))
    assert expected in p.body and "\ufffd" not in p.body
    if note:
        assert any(note in x for x in p.problems), p.problems


def test_quoted_printable_and_base64():
    p = parse_bytes(msg(BASE + "\nContent-Type: text/plain; charset=utf-8\n"
                        "Content-Transfer-Encoding: quoted-printable", b"caf=C3=A9 =\nok\n"))
    assert p.body == "café ok\n"
    b64 = base64.encodebytes("Grüße aus Zürich\n".encode()).rstrip(b"\n")
    p = parse_bytes(msg(BASE + "\nContent-Type: text/plain; charset=utf-8\n"
                        "Content-Transfer-Encoding: base64", b64[:-2] + b"\n"))
    assert p.body.startswith("Grüße aus Z") and any("bad base64" in x for x in p.problems)


def test_multipart_alternative_prefers_plain_and_records_attachments():
    body = (
        b"--B\nContent-Type: multipart/alternative; boundary=C\n\n"
        b"--C\nContent-Type: text/plain; charset=utf-8\n\nplain caf\xc3\xa9\n"
        b"--C\nContent-Type: text/html\n\n<p>html</p>\n--C--\n"
        b"--B\nContent-Type: application/pdf; name=\"r.pdf\"\n"
        b"Content-Disposition: attachment; filename=\"r.pdf\"\n"
        b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--B--\n"
    )
    p = parse_bytes(msg(BASE + "\nContent-Type: multipart/mixed; boundary=B", body))
    assert p.body.strip() == "plain café" and not p.html
    assert [(a.filename, a.content_type, a.size) for a in p.attachments] == [
        ("r.pdf", "application/pdf", 9)
    ]


def test_html_only_is_converted_and_links_found():
    p = parse_bytes(msg(BASE + "\nContent-Type: text/html; charset=utf-8",
                        b"<html><body><p>See <a href='https://ex.org/a'>this</a> &amp; more</p>"
                        b"<script>x()</script></body></html>"))
    assert p.html and "See" in p.body and "& more" in p.body and "<p>" not in p.body
    assert "https://ex.org/a" in p.links


def test_signed_and_missing_close_boundary():
    body = (b"--S\nContent-Type: text/plain; charset=utf-8\n\nsigned text\n"
            b"--S\nContent-Type: application/pgp-signature\n\n-----BEGIN PGP")
    p = parse_bytes(msg(BASE + '\nContent-Type: multipart/signed; boundary="S"', body))
    assert p.body.strip() == "signed text" and not p.attachments
    assert any("closing boundary" in x for x in p.problems)


def test_missing_content_type_multipart_is_guessed():
    body = b"--=_abc123\nContent-Type: text/plain\n\nthe text\n--=_abc123--\n"
    p = parse_bytes(msg(BASE + "\nMIME-Version: 1.0", body))
    assert p.body.strip() == "the text"


def test_crlf_and_links():
    raw = msg(BASE, b"Go to https://example.org/x?a=1, then (http://b.example/y).\n")
    p = parse_bytes(raw.replace(b"\n", b"\r\n"))
    assert p.subject == "s" and "\r" not in p.body
    assert p.links == ("https://example.org/x?a=1", "http://b.example/y")


@pytest.mark.parametrize("raw", [b"", b"   \n\n", b"just some text\nwith no headers\n", b"\x00\x01"])
def test_parse_failure(raw):
    with pytest.raises(ParseFailure):
        parse_bytes(raw)
