"""A demo-corpus workspace for the app tests, built once per session (with the analysis stages
that exist, run with the hashing fake embedder), plus an AppTest factory."""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_MBOX = ROOT / "corpora" / "demo" / "gov-cop.mbox"
EMB_DIM = 64

# One hostile message (a new thread) in every fixture workspace: see test_hostile.py.
HOSTILE = b"""From attacker@attacker.example.com Mon Mar  1 10:00:00 2021
From: "<img src=x onerror=alert(1)> Evil **Bold** [x](javascript:alert(9))" <attacker@attacker.example.com>
To: gov-cop@lists.example.org
Subject: <script>alert('subject')</script> hostile lesson [click](javascript:alert(1)) :red[red]
Date: Mon, 01 Mar 2021 10:00:00 +0000
Message-ID: <hostile-1@attacker.example.com>
List-Id: gov-cop <gov-cop.lists.example.org>
Content-Type: text/plain; charset=utf-8

A lesson learned about young voters and elections: <script>alert(1)</script>
<img src=x onerror="alert(2)"> ![pixel](http://tracker.example.com/p.png)
[click me](javascript:alert(3)) :red[red text] <b>bold</b> $x^2$ <iframe src="http://evil.example.com"></iframe>

# A heading
**We recommend** always checking <svg onload=alert(4)> inputs.

"""


def build_workspace(path: Path, extra_sources: list[str] = ()):
    """Ingest the demo corpus (and ``extra_sources``) and run every installed stage with fakes."""
    from miner.nlp.embedders import HashingEmbedder
    from miner.pipeline import ORDER, run_stages
    from miner.workspace import Workspace

    ws = Workspace.open(path, create=True, overrides={"mode": "fast"})
    ws.config.save(ws.path)  # fast topics (PCA + k-means): seconds, not minutes
    ws.embedder = HashingEmbedder(dim=EMB_DIM)
    ws.ingest([str(DEMO_MBOX), *extra_sources])
    stages = [s for s in ORDER if importlib.util.find_spec(f"miner.stages.{s}") is not None]
    done = []
    for s in stages:  # a stage still being written may fail: the pages must cope with that
        try:
            run_stages(ws, [s])
            done.append(s)
        except Exception as e:  # noqa: BLE001
            print(f"stage {s} not run: {e}")
    ws.close()
    return done


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory) -> Path:
    reuse = os.environ.get("MINER_APP_TEST_WS")  # a developer's already built fixture workspace
    if reuse and (Path(reuse) / "corpus.sqlite").exists():
        return Path(reuse)
    root = tmp_path_factory.mktemp("app")
    hostile = root / "hostile.mbox"
    hostile.write_bytes(HOSTILE)
    path = root / "ws"
    build_workspace(path, [str(hostile)])
    return path


@pytest.fixture
def app_env(demo_ws, monkeypatch):
    monkeypatch.setenv("MINER_WORKSPACE", str(demo_ws))
    monkeypatch.setenv("MINER_APP_EMBEDDER", "hashing")
    monkeypatch.setenv("MINER_APP_EMBEDDER_DIM", str(EMB_DIM))
    return demo_ws


def open_page(page: str, **state):
    """An AppTest of app.py switched to ``app_pages/<page>.py`` and run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    return at


PAGES = ("overview", "ingest", "search", "discussion", "topics", "problems", "practices",
         "experts", "settings")
