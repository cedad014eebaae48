"""Pipermail specifics: address un-obfuscation, archive month, list name, sniffing."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from miner.ingest.detect import detect
from miner.ingest.pipermail import archive_month, list_name_for, parse_from, parse_pipermail


@pytest.mark.parametrize(
    "value, name, addr",
    [
        ("jjl at pobox.com (John J. Lee)", "John J. Lee", "jjl@pobox.com"),
        ("usuario en dominio.es (=?ISO-8859-1?Q?Jos=E9?=)", "José", "usuario@dominio.es"),
        ("wo||g@ng@v|echtb@uer @end|ng |rom m@@@tr|chtun|ver@|ty@n| (Viechtbauer, Wolfgang)",
         "Viechtbauer, Wolfgang", "wo||g@ng@v|echtb@uer @end|ng |rom m@@@tr|chtun|ver@|ty@n|"),
        ("plain@example.org (Plain)", "Plain", "plain@example.org"),
    ],
)
def test_from_forms(value, name, addr):
    assert parse_from(value) == (name, addr)


@pytest.mark.parametrize(
    "name, month, prefix",
    [
        ("2007-March.txt", datetime(2007, 3, 1, tzinfo=UTC), None),
        ("/x/2007-March.txt.gz", datetime(2007, 3, 1, tzinfo=UTC), None),
        ("2015q4.txt.gz", datetime(2015, 10, 1, tzinfo=UTC), None),
        ("numpy-discussion-2001-November.txt", datetime(2001, 11, 1, tzinfo=UTC),
         "numpy-discussion"),
        ("notes.txt", None, None),
    ],
)
def test_archive_month(name, month, prefix):
    assert archive_month(name) == (month, prefix)


def test_list_name_from_folder():
    assert list_name_for("/a/r-sig-meta-analysis/raw/2017-July.mbox") == "r-sig-meta-analysis"
    assert list_name_for("/a/pipermail/devel/2017-July.txt.gz") == "devel"
    assert list_name_for("/a/b/something.txt") is None


def test_month_is_last_fallback():
    raw = b"From: x at y.org (X)\nSubject: s\n\nbody\n"
    month = datetime(2007, 3, 1, tzinfo=UTC)
    p = parse_pipermail(raw, fallback_date=month)
    assert (p.date, p.date_source, p.from_email) == (month, "archive", "x@y.org")


def test_sniff_prefers_pipermail_over_mbox():
    head = (b"From jjl at pobox.com  Thu Nov  1 11:19:12 2001\n"
            b"From: jjl at pobox.com (John J. Lee)\nDate: Thu Nov  1 11:19:12 2001\n"
            b"Subject: s\nMessage-ID: <a@b>\n\nbody\n")
    assert detect(head, "x.txt").name == "pipermail"
    full = (b"From a@b.org Thu Nov  1 11:19:12 2001\nReturn-Path: <a@b.org>\n"
            b"Received: from x by y; Thu, 1 Nov 2001 11:19:12 +0000\nFrom: a@b.org\n\nbody\n")
    assert detect(full, "x.mbox").name == "mbox"
