"""Shared fixtures.

Real corpora are read in place from ``../shared/corpora`` (relative to the project root).
A user's fresh clone has no ``../shared``: tests that need it skip with a reason. CI sets
``MINER_REQUIRE_SHARED=1`` so that a missing folder fails instead of skipping quietly.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
TOOLS = SHARED / "tools"
DATA = Path(__file__).resolve().parent / "data"
DEMO = ROOT / "corpora" / "demo"


def _need_shared() -> Path:
    if CORPORA.is_dir():
        return CORPORA
    if os.environ.get("MINER_REQUIRE_SHARED") == "1":
        pytest.fail(f"MINER_REQUIRE_SHARED=1 but {CORPORA} is missing")
    pytest.skip(f"real corpora not available ({CORPORA} is absent)")


@pytest.fixture(scope="session")
def corpora() -> Path:
    """Path to ../shared/corpora; skips the test when it is absent."""
    return _need_shared()


@pytest.fixture(scope="session")
def evalmetrics():
    """The judged metric definitions, imported from ../shared/tools/evalmetrics.py."""
    _need_shared()
    import importlib.util

    spec = importlib.util.spec_from_file_location("evalmetrics", TOOLS / "evalmetrics.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def gen_mbox_tool() -> Path:
    _need_shared()
    return TOOLS / "gen_mbox.py"


def pytest_sessionfinish(session, exitstatus):
    # A run that collected nothing must not pass (pytest's exit code 5 would otherwise
    # be easy to swallow in a script).
    if session.testscollected == 0 and exitstatus in (0, 5):
        session.exitstatus = 1
