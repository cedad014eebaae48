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
    path = tmp_path_factory.mktemp("app") / "ws"
    build_workspace(path)
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
