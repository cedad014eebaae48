"""Hostile file names and sizes at the app's upload boundary (``app_pages.uploads``, the
library functions the Ingest page calls): whatever name a browser sends, the file lands inside
the uploads folder under a plain basename, and an oversized upload is refused with a message
that says the limit and what to do instead.

The app's downloads (search results, lessons, the consolidated reply, the pseudonymised export)
use fixed file names, and the CLI's ``-o`` is the user's own path, so no export name comes from
archive content; tests/app/test_app_pages.py holds the example-based upload checks.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app_pages.uploads import safe_filename, save_upload
from miner.errors import SourceError

NASTY = ["../../etc/passwd", "..\\..\\boot.ini", "/abs/path.mbox", "a/../../b.mbox", "....",
         "\x00evil.mbox", "con.mbox\u202egpj", "~/.ssh/authorized_keys", "%2e%2e%2fx", ".", "",
         "..", "\u2024\u2024/x", "\uff0e\uff0e\uff0fx.mbox"]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(st.sampled_from(NASTY), st.text(max_size=300)))
def test_safe_filename_is_always_a_plain_basename(name):
    s = safe_filename(name)
    assert s and len(s) <= 120
    assert "/" not in s and "\\" not in s and "\x00" not in s
    assert not s.startswith(".") and ".." not in s


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.sampled_from(NASTY), st.text(max_size=200)))
def test_an_upload_never_lands_outside_the_uploads_folder(tmp_path, name):
    folder = tmp_path / "uploads"
    p = save_upload(folder, name, b"From x\n", 100)
    assert p.parent == folder.resolve()
    assert p.read_bytes() == b"From x\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["uploads"]  # nothing written beside it


def test_an_oversized_upload_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(SourceError) as e:
        save_upload(tmp_path / "uploads", "../big.mbox", b"x" * 3_000_001, 2_000_000)
    msg = str(e.value)
    assert "big.mbox" in msg and "up to 2 MB" in msg and "miner ingest" in msg
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())
