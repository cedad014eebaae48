"""Property tests: parse_bytes never raises anything but ParseFailure; the mbox splitter
finds exactly the messages written, whatever their bodies hold."""
from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miner.ingest.mbox import split_mbox
from miner.ingest.mime import ParseFailure, parse_bytes

SEED = (
    b"From: =?utf-8?q?J=C3=BCrgen?= <j@x.org>\nSubject: =?iso-8859-1?b?4Q==?=\n"
    b"Date: Mon, 4 Jan 2021 10:00:00 +0100\nMessage-ID: <m@x>\nReferences: <a@x> b@y\n"
    b"Content-Type: multipart/mixed; boundary=\"B\"\n\n--B\nContent-Type: text/plain; "
    b"charset=utf-8\nContent-Transfer-Encoding: base64\n\nw6k=\n--B\nContent-Type: text/html\n"
    b"Content-Transfer-Encoding: quoted-printable\n\n<p>caf=E9</p>\n--B--\n"
)


def _parse_ok(raw: bytes) -> None:
    try:
        p = parse_bytes(raw)
    except ParseFailure:
        return
    assert isinstance(p.body, str) and isinstance(p.subject, str)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_parse_bytes_random(raw):
    _parse_ok(raw)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(SEED) - 1), st.binary(min_size=0, max_size=8)),
                max_size=12),
       st.integers(0, len(SEED)))
def test_parse_bytes_mutated(edits, cut):
    raw = bytearray(SEED[:cut] if cut > 40 else SEED)
    for pos, chunk in edits:
        pos = min(pos, len(raw))
        raw[pos : pos + len(chunk)] = chunk
    _parse_ok(bytes(raw))


_line = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=60),
    st.sampled_from(["From here on it works.", "From a b Mon Jan  4 10:00:00 2021",
                     ">From quoted", "", "From:", "From  Thu Nov  1 11:19:12 2001"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_line, max_size=8), min_size=1, max_size=8),
       st.sampled_from([1, 7, 64, 1 << 20]))
def test_mbox_split_count(bodies, chunk):
    """Writes an mboxrd with escaped From lines; the splitter gets every message back."""
    from miner.ingest import mbox

    out = io.BytesIO()
    for i, lines in enumerate(bodies):
        out.write(f"From sender{i}@example.org Mon Jan  4 10:00:{i:02d} 2021\n".encode())
        out.write(f"From: s{i}@example.org\nSubject: n{i}\n\n".encode())
        for ln in lines:
            b = ln.encode()
            stripped = b.lstrip(b">")
            if stripped.startswith(b"From "):
                b = b">" + b
            out.write(b + b"\n")
        out.write(b"\n")
    old = mbox.CHUNK
    mbox.CHUNK = chunk
    try:
        got = list(split_mbox(io.BytesIO(out.getvalue())))
    finally:
        mbox.CHUNK = old
    assert len(got) == len(bodies)
    for i, ((line, sep, raw), lines) in enumerate(zip(got, bodies)):
        assert raw.startswith(f"From: s{i}@".encode())
        body = raw.split(b"\n\n", 1)[1]
        assert body == b"".join(ln.encode() + b"\n" for ln in lines)
