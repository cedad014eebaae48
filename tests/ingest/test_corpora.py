"""Real archives in ../shared/corpora: 0 crashes and 0 silent losses.

For every corpus: items parsed OK + items quarantined (ParseFailure or ``error``) equals
the number of messages counted independently (separator lines by a simple regex, or
message files on disk). Prints one table row per corpus.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from miner.ingest import read_sources
from miner.ingest.mime import ParseFailure, parse_bytes

pytestmark = pytest.mark.slow

_SEP = re.compile(rb"^From \S.*\d\d:\d\d(:\d\d)?\s+\d{4}\s*$")


def count_separators(paths: list[Path]) -> int:
    """Independent count: "From ... hh:mm[:ss] yyyy" lines at file start or after a blank."""
    import gzip

    n = 0
    for p in paths:
        data = gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
        lines = data.split(b"\n")
        n += sum(1 for i, ln in enumerate(lines)
                 if _SEP.match(ln) and (i == 0 or not lines[i - 1].strip()))
    return n


def ingest(paths: list[Path]) -> dict[str, int]:
    c = {"ok": 0, "quarantined": 0, "repaired": 0, "source_errors": 0}
    for _, items in read_sources([str(p) for p in paths]):
        for it in items:
            if it.error:
                c["quarantined"] += 1
                continue
            try:
                p = it.parsed or parse_bytes(it.raw, fallback_date=it.fallback_date)
            except ParseFailure:
                c["quarantined"] += 1
                continue
            c["ok"] += 1
            c["repaired"] += bool(p.problems)
    return c


MBOX_LIKE = {
    "perceval mbox": ("perceval-fixtures/mbox", "*.mbox"),
    "open-iscsi googlegroups": ("open-iscsi-googlegroups", "*.mbox"),
    "bigbang 3GPP_mbox": ("bigbang-fixtures/3GPP_mbox", "*.mbox"),
    "r-sig-meta-analysis": ("r-sig-meta-analysis/raw", "*.mbox"),
    "r-sig-teaching raw": ("r-sig-teaching/raw", "*.mbox"),
    "r-sig-teaching txt.gz": ("r-sig-teaching/pipermail-txt-gz", "*.txt.gz"),
    "bigbang pipermail": ("bigbang-fixtures", "[bn]*-*.txt"),
    "perceval pipermail": ("perceval-fixtures/pipermail", "*.mbox"),
}


@pytest.mark.parametrize("label", list(MBOX_LIKE))
def test_mbox_and_pipermail_corpora(corpora, label):
    folder, pattern = MBOX_LIKE[label]
    paths = sorted((corpora / folder).glob(pattern))
    assert paths
    expected = count_separators(paths)
    c = ingest(paths)
    print(f"\n{label:26} files={len(paths):4} expected={expected:5} ok={c['ok']:5} "
          f"quarantined={c['quarantined']:3} repaired={c['repaired']:4}")
    assert c["ok"] + c["quarantined"] == expected
    assert c["quarantined"] <= max(1, expected // 50)


def message_files(root: Path, pattern: str = "*") -> list[Path]:
    return sorted(p for p in root.rglob(pattern)
                  if p.is_file() and not p.name.startswith(("README", ".")))


@pytest.mark.parametrize(
    "label, folder, pattern",
    [
        ("notmuch maildir/eml", "notmuch-corpora", "*"),
        ("perceval utils eml", "perceval-fixtures/utils", "*"),
        ("mailgun-talon eml", "quote-signature-groundtruth/mailgun-talon", "*.eml"),
    ],
)
def test_maildir_and_eml_corpora(corpora, label, folder, pattern):
    files = message_files(corpora / folder, pattern)
    specs = [corpora / folder] if pattern == "*" else files
    c = ingest(specs)
    print(f"\n{label:26} files={len(files):4} ok={c['ok']:5} "
          f"quarantined={c['quarantined']:3} repaired={c['repaired']:4}")
    assert c["ok"] + c["quarantined"] == len(files)
