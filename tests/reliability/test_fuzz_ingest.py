"""Fuzzing the whole ingest path: generated and mutated archives of every kind never raise an
unhandled exception, and every message given is stored, de-duplicated or quarantined."""
from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miner import Workspace
from miner.errors import MinerError

GOOD = (b"From a@example.org Mon Mar  2 10:00:00 2020\n"
        b"From: Ana <a@example.org>\nSubject: Budget %d\nDate: Mon, 2 Mar 2020 10:00:00 +0000\n"
        b"Message-ID: <fz%d@example.org>\n\nText of message %d.\n\n")

header_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
junk = st.binary(max_size=400)


@st.composite
def mbox_archive(draw):
    """An mbox of n messages, some damaged: junk bodies, absurd headers, broken MIME."""
    n = draw(st.integers(1, 6))
    parts = []
    countable = True  # a "From " line with no header after it is ambiguous (body text or not)
    for i in range(n):
        kind = draw(st.sampled_from(["good", "junk_body", "absurd_header", "broken_mime",
                                     "bad_charset", "nested", "no_headers"]))
        if kind == "good":
            parts.append(GOOD % (i, i, i))
            continue
        head = (b"From x@example.org Mon Mar  2 10:00:00 2020\nFrom: X <x@example.org>\n"
                b"Subject: s" + str(i).encode() + b"\nMessage-ID: <k%d@example.org>\n" % i)
        if kind == "junk_body":
            body = b"\n" + draw(junk).replace(b"\nFrom ", b"\n>From ") + b"\n\n"
        elif kind == "absurd_header":
            body = (b"X-Long: " + b"a" * draw(st.integers(0, 20000)) + b"\n"
                    + b"Subject: " + draw(header_text).encode("utf-8", "surrogatepass") + b"\n\nbody\n\n")
        elif kind == "broken_mime":
            body = (b"Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain;"
                    b" charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + draw(junk).replace(b"\nFrom ", b"\n>From ")
                    + b"\n--b1\n\n")
        elif kind == "bad_charset":
            body = (b"Content-Type: text/plain; charset=" + draw(st.sampled_from(
                [b"x-unknown", b"utf-8", b"iso-8859-1", b"", b"\xff\xfe", b"utf-7"]))
                + b"\n\n" + draw(junk).replace(b"\nFrom ", b"\n>From ") + b"\n\n")
        elif kind == "nested":
            depth = draw(st.integers(1, 60))
            body = b"Content-Type: multipart/mixed; boundary=\"b0\"\n\n"
            for d in range(depth):
                body += b"--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n" % (d, d + 1)
            body += b"--b%d\nContent-Type: text/plain\n\ndeep\n\n" % depth
        else:
            body = b"\n" + draw(junk).replace(b"\nFrom ", b"\n>From ") + b"\n\n"
            head = b"From x@example.org Mon Mar  2 10:00:00 2020\n"
            countable = False
        parts.append(head + body)
    return (n if countable else None), b"".join(parts)


def _check(ws: Workspace, path: Path, expected: int | None = None):
    try:
        r = ws.ingest([str(path)])
    except MinerError:
        return None  # a whole-source error is a clear user error, not a crash
    assert r.added + r.duplicates + r.quarantined == r.messages_seen
    stored = ws.db.execute("SELECT count(*) FROM messages").fetchone()[0]
    quarantined = ws.db.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    assert stored + quarantined >= r.added + r.quarantined - r.duplicates
    if expected is not None:
        assert r.messages_seen == expected, (r.messages_seen, expected, r.errors)
    return r


FUZZ = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(mbox_archive())
def test_generated_mboxes_lose_nothing(tmp_path_factory, arch):
    n, data = arch
    d = tmp_path_factory.mktemp("fz")
    (d / "a.mbox").write_bytes(data)
    with Workspace.open(d / "ws", create=True) as ws:
        _check(ws, d / "a.mbox", expected=n)


@FUZZ
@given(mbox_archive(), st.integers(0, 10_000), st.binary(max_size=50))
def test_mutated_archives_never_crash(tmp_path_factory, arch, cut, noise):
    _, data = arch
    d = tmp_path_factory.mktemp("fzm")
    pos = cut % max(len(data), 1)
    mutated = data[:pos] + noise + data[pos + len(noise):]
    (d / "m.mbox").write_bytes(mutated)
    (d / "m.txt").write_bytes(mutated.replace(b"@example.org", b" at example.org"))
    (d / "m.eml").write_bytes(mutated.split(b"\n", 1)[-1])
    gz = gzip.compress(mutated)
    (d / "t.mbox.gz").write_bytes(gz[: max(10, len(gz) * (cut % 100) // 100)])  # truncated
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner.mbox", mutated)
    (d / "z.zip").write_bytes(buf.getvalue())
    (d / "p.html").write_bytes(b"<html><!-- id=\"x@y\" --><pre>" + mutated[:500] + b"</pre></html>")
    (d / "t.csv").write_bytes(b"message_id,subject,body,from\n" + noise.replace(b"\n", b" ") + b",s,b,f\n")
    with Workspace.open(d / "ws", create=True) as ws:
        for name in ("m.mbox", "m.txt", "m.eml", "t.mbox.gz", "z.zip", "p.html", "t.csv"):
            _check(ws, d / name)


@pytest.mark.slow
def test_huge_line_and_gzip_bomb_are_bounded(tmp_path):
    big = tmp_path / "big.mbox"
    big.write_bytes(GOOD % (1, 1, 1) + (GOOD % (2, 2, 2)).replace(b"Text of", b"x" * 10_000_000 + b" Text of"))
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        r = _check(ws, big, expected=2)
        assert r is not None and r.added == 2
    # a highly compressible gzip: decompressed on the fly, never held whole in memory
    bomb = tmp_path / "bomb.mbox.gz"
    with gzip.open(bomb, "wb") as f:
        f.write(GOOD % (3, 3, 3))
        chunk = b"A" * (1 << 20)
        for _ in range(200):  # 200 MB of one line of 'A's
            f.write(chunk)
    assert bomb.stat().st_size < 1_000_000
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with Workspace.open(tmp_path / "ws2", create=True) as ws:
        r = _check(ws, bomb)
        assert r is not None and r.added == 1
        assert any("larger than" in e.error for e in r.errors)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(f"\npeak RSS growth on a 200 MB one-line gzip: {grown_mb:.0f} MB")
    assert grown_mb < 800


@pytest.mark.parametrize("container", ["gz", "zip"])
def test_bomb_beyond_the_limit_stops_with_a_clear_error(tmp_path, monkeypatch, container):
    """A container that decompresses past the limit stops that source with an error naming
    the file and what to do; what was read before the limit is stored and counted."""
    from miner.ingest import containers

    monkeypatch.setattr(containers, "MAX_DECOMPRESSED", 2 << 20)  # 2 MiB instead of 16 GiB
    payload = GOOD % (1, 1, 1) + GOOD % (2, 2, 2) + b"From z@x Mon Mar  2 10:00:00 2020\n" + \
        b"Subject: bomb\n\n" + b"A" * (16 << 20)  # 16 MiB of one line
    if container == "gz":
        src = tmp_path / "bomb.mbox.gz"
        src.write_bytes(gzip.compress(payload, 9))
    else:
        src = tmp_path / "bomb.zip"
        with zipfile.ZipFile(src, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("inner.mbox", payload)
    assert src.stat().st_size < 1 << 20
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        r = ws.ingest([str(src)])
        # the two messages and the part of the third read before the limit (kept, marked)
        assert r.added == 3 and r.repaired == 1, r
        errs = [e.error for e in r.errors]
        assert any("decompresses to more than" in e and "zip bomb" in e for e in errs), errs
        assert any(str(src) in e.source or str(src) in e.error for e in r.errors)
        status = [r[0] for r in ws.db.execute("SELECT status FROM sources")]
        assert status == ["error"]
