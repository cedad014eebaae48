"""read_sources: expansion, containers, detection and one-line errors on bad input."""
from __future__ import annotations

import pytest

from miner.errors import SourceError, UnknownFormatError
from miner.ingest import KNOWN_FORMATS, read_sources
from miner.ingest.mime import parse_bytes
from tests.conftest import DATA

D = DATA / "ingest"


def items_of(spec, **kw):
    out = []
    for name, items in read_sources([str(spec)], **kw):
        out.append((name, list(items)))
    return out


def one_error(spec, **kw) -> SourceError:
    with pytest.raises(SourceError) as ei:
        items_of(spec, **kw)
    msg = str(ei.value)
    assert "\n" not in msg
    assert str(spec).rsplit("/", 1)[-1].split("*")[0] in msg  # names the file
    return ei.value


def test_known_formats():
    assert {"mbox", "pipermail", "maildir", "eml"} <= set(KNOWN_FORMATS)


def test_mbox_two_messages_and_unescape():
    [(name, items)] = items_of(D / "two.mbox")
    assert name.endswith("two.mbox")
    assert [i.where for i in items] == ["line 1", "line 10"]
    first = parse_bytes(items[0].raw)
    assert "\nFrom the archive: this line was escaped." in first.body
    second = parse_bytes(items[1].raw)
    assert "From 10:00 to 12:00 in 2021" in second.body  # glued line kept in the body
    assert second.in_reply_to == "one@example.org"
    assert items[0].fallback_date.year == 2021


@pytest.mark.parametrize("name", ["two.mbox.gz", "archive.zip"])
def test_containers(name):
    [(_, items)] = items_of(D / name)
    assert len(items) == 2
    assert parse_bytes(items[1].raw).subject == "Re: First"


def test_pipermail_txt_and_gz():
    for name in ("2007-March.txt", "2007-March.txt.gz"):
        [(_, items)] = items_of(D / name)
        assert len(items) == 2
        a, b = (i.parsed for i in items)
        assert (a.from_name, a.from_email) == ("John Doe", "jdoe@example.org")
        assert (b.from_name, b.from_email) == ("José Pérez", "usuario@ejemplo.es")
        assert a.date.year == 2007 and a.date_source == "header"
        assert b.date_source == "archive" and b.date.day == 2  # from the "From " line
        assert "From the list" in b.body


def test_maildir_and_eml():
    [(_, items)] = items_of(D / "maildir")
    assert len(items) == 2
    [(_, items)] = items_of(D / "single.eml")
    p = parse_bytes(items[0].raw)
    assert p.from_name == "Café Carol" and p.subject == "Résumé"
    assert p.permalink == "https://lists.example.org/archive/three"
    assert p.links == ("https://example.org/doc.pdf",)


def test_folder_walk_finds_every_format(tmp_path):
    names = [n for n, _ in read_sources([str(D)])]
    assert any(n.endswith("maildir") for n in names)
    assert any(n.endswith("two.mbox") for n in names)
    assert any(n.endswith("2007-March.txt.gz") for n in names)


def test_glob():
    names = [n for n, _ in read_sources([str(D / "two.mbox*")])]
    assert len(names) == 2


def test_missing_path_raises_immediately():
    with pytest.raises(SourceError, match="no such file or directory; check the path"):
        read_sources([str(D / "nope.mbox")]).__next__()


def test_glob_without_match():
    with pytest.raises(SourceError, match="no file matches"):
        next(read_sources([str(D / "nope*.mbox")]))


def test_empty_file():
    assert "empty file" in str(one_error(D / "empty.mbox"))


def test_binary_file():
    e = one_error(D / "binary.mbox")
    assert "binary file" in str(e) and "mbox" in str(e)


def test_truncated_gzip_keeps_what_was_read():
    got = []
    with pytest.raises(SourceError) as ei:
        for _, items in read_sources([str(D / "truncated.mbox.gz")]):
            for it in items:
                got.append(it)  # noqa: PERF402 - one by one: keep what came before the error
    msg = str(ei.value)
    assert "truncated.mbox.gz" in msg and "truncated or corrupt gz" in msg
    assert "decompressed bytes" in msg and "\n" not in msg
    assert got and got[-1].error  # the message cut short is kept, flagged


def test_unknown_format_lists_known_formats():
    with pytest.raises(UnknownFormatError) as ei:
        items_of(D / "notes.txt")
    msg = str(ei.value)
    assert "notes.txt" in msg and "unknown format" in msg
    for f in KNOWN_FORMATS:
        assert f in msg


def test_wrong_forced_format():
    e = one_error(D / "single.eml", format="mbox")
    assert "does not look like mbox" in str(e)
    with pytest.raises(UnknownFormatError, match="known formats"):
        items_of(D / "two.mbox", format="nosuch")


def test_forced_format_is_used():
    [(_, items)] = items_of(D / "2007-March.txt", format="mbox")
    assert len(items) == 2 and items[0].parsed is None


def test_errors_are_lazy_per_source():
    pairs = list(read_sources([str(D / "empty.mbox"), str(D / "two.mbox")]))
    assert len(pairs) == 2
    with pytest.raises(SourceError):
        list(pairs[0][1])
    assert len(list(pairs[1][1])) == 2


def test_large_eml_is_read_whole(tmp_path):
    body = b"".join(b"line %d of a long message\n" % i for i in range(20000))
    p = tmp_path / "big.eml"
    p.write_bytes(b"From: a@x.org\nSubject: big\n\n" + body)
    [(_, items)] = items_of(p)
    assert parse_bytes(items[0].raw).body.count("\n") == 20000
