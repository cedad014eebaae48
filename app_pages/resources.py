"""The app's one door to the library: the session's workspace, and every cached call.

This is the only module with ``st.cache_resource`` / ``st.cache_data``. Cached results are keyed
by the workspace path and a cheap data-version token (:func:`token`), so an ingest, a stage run or
an edit made anywhere (another session, the CLI) shows up on the next rerun. Pages never run SQL
or models: they call the functions here, which call ``miner``.

Optional stages are imported lazily (:func:`stage`): a page whose stage module is not installed,
or whose stage has not run, shows a note instead of failing.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import threading
from pathlib import Path
from typing import Any

import streamlit as st

from miner.errors import MinerError

DEFAULT_WORKSPACE = "miner-workspace"
MAX_UPLOAD_MB = 200
_edits = {"n": 0}  # bumped by every write made through the app (shared by all sessions)
_lock = threading.Lock()


# --------------------------------------------------------------------------- the workspace

def workspace_arg(argv: list[str] | None = None) -> str:
    """``--workspace DIR`` from the arguments after ``--``, else ``$MINER_WORKSPACE``, else
    ``./miner-workspace``."""
    args = list(sys.argv[1:] if argv is None else argv)
    for i, a in enumerate(args):
        if a in ("--workspace", "-w") and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--workspace="):
            return a.split("=", 1)[1]
    return os.environ.get("MINER_WORKSPACE") or DEFAULT_WORKSPACE


def workspace_path() -> str:
    if "workspace_path" not in st.session_state:
        st.session_state["workspace_path"] = str(Path(workspace_arg()).expanduser())
    return st.session_state["workspace_path"]


def open_workspace(path: str, *, create: bool = False):
    """Open ``path`` for this session (raises :class:`MinerError` when it is not a workspace)."""
    from miner.workspace import Workspace

    ws = Workspace.open(path, create=create)
    if os.environ.get("MINER_APP_EMBEDDER") == "hashing":  # tests and benchmarks: no model load
        from miner.nlp.embedders import HashingEmbedder

        ws.embedder = HashingEmbedder(dim=int(os.environ.get("MINER_APP_EMBEDDER_DIM", "64")))
    return ws


def ws():
    """The session's open workspace; stops the page with a clear note when there is none."""
    path = workspace_path()
    cur = st.session_state.get("_ws")
    if cur is not None and str(cur.path) == path:
        return cur
    try:
        cur = open_workspace(path)
    except MinerError as e:
        st.error(str(e))
        st.markdown("Create one from the **Ingest** page, or in a terminal:")
        st.code(f"miner ingest ARCHIVE.mbox --workspace {path}\nminer demo --no-app "
                f"--workspace {path}", language="bash")
        st.stop()
    st.session_state["_ws"] = cur
    return cur


def has_workspace() -> bool:
    from miner.workspace import DB_NAME

    return (Path(workspace_path()) / DB_NAME).exists()


def switch_workspace(path: str) -> None:
    old = st.session_state.pop("_ws", None)
    if old is not None:
        old.close()
    st.session_state["workspace_path"] = str(Path(path).expanduser())


_versions: dict[str, tuple[float, tuple]] = {}
VERSION_TTL = 1.0  # seconds a data-version lookup is reused (one page run makes dozens)


def token() -> tuple:
    """Changes whenever the workspace's data does (a handful of max/count lookups, at most once
    a second; writes made through the app change it at once via :func:`edited`)."""
    import time

    from miner.store.app_queries import data_version

    w = ws()
    path = str(w.path)
    now = time.monotonic()
    hit = _versions.get(path)
    if hit is None or now - hit[0] > VERSION_TTL:
        hit = (now, data_version(w.db))
        _versions[path] = hit
    return (path, hit[1], _edits["n"], pseudonymise_on())


def edited() -> None:
    """Call after any write so that every cached view is recomputed."""
    with _lock:
        _edits["n"] += 1


# --------------------------------------------------------------------------- settings

def pseudonymise_on() -> bool:
    if "pseudonymise" not in st.session_state:
        on = False
        if has_workspace():
            try:
                on = bool(ws().config["pseudonymise"])
            except MinerError:
                on = False
        st.session_state["pseudonymise"] = on
    return bool(st.session_state["pseudonymise"])


@st.cache_resource(show_spinner=False, max_entries=8)
def _pseudonymiser(_ws, key: tuple):
    from miner.pseudonymise import Pseudonymiser

    return Pseudonymiser(_ws.db)


def pseudo():
    """The workspace's :class:`Pseudonymiser` when the switch is on, else None."""
    if not pseudonymise_on():
        return None
    w = ws()
    from miner.store.app_queries import data_version

    return _pseudonymiser(w, (str(w.path), data_version(w.db)))


def who(name: str, email: str = "") -> str:
    """A person's display name (pseudonymised when the switch is on)."""
    p = pseudo()
    if p is None:
        return name or email or "unknown"
    return p.name(name) if name else p.email(email)


def shown(text: str) -> str:
    """Free text as displayed (pseudonymised when the switch is on)."""
    p = pseudo()
    return p.text(text) if p is not None and text else (text or "")


def save_setting(name: str, value: Any) -> None:
    w = ws()
    w.config.set(name, value)
    w.config.save(w.path)
    edited()


# --------------------------------------------------------------------------- stages

def stage(name: str):
    """``miner.stages.<name>`` if installed, else None."""
    try:
        return importlib.import_module(f"miner.stages.{name}")
    except ModuleNotFoundError as e:
        mod = f"miner.stages.{name}"
        if e.name and (e.name == mod or e.name.startswith(mod + ".")):
            return None
        raise


def stage_runs() -> dict:
    from miner.store.app_queries import stage_runs as q

    return q(ws().db)


def stage_done(name: str) -> bool:
    run = stage_runs().get(name)
    return run is not None and run.status == "done"


def available_stages() -> list[str]:
    from miner.pipeline import ORDER

    return [s for s in ORDER if importlib.util.find_spec(f"miner.stages.{s}") is not None]


def run_stages(names: list[str], progress) -> dict:
    from miner.pipeline import run_stages as run

    try:
        return run(ws(), names, progress=progress)
    finally:
        edited()


# --------------------------------------------------------------------------- corpus views

@st.cache_data(show_spinner=False, max_entries=16)
def _stats(_w, key: tuple) -> dict:
    from miner.store.queries import stats as q

    return q(_w.db)


def stats() -> dict:
    return _stats(ws(), token())


@st.cache_data(show_spinner=False, max_entries=16)
def _activity(_w, key: tuple):
    from miner.store.app_queries import activity_by_month

    return activity_by_month(_w.db)


def activity():
    return _activity(ws(), token())


@st.cache_data(show_spinner=False, max_entries=16)
def _top_threads(_w, key: tuple, limit: int):
    from miner.store.app_queries import top_threads as q

    return q(_w.db, limit)


def top_threads(limit: int = 10):
    return _top_threads(ws(), token(), limit)


@st.cache_data(show_spinner=False, max_entries=16)
def _unanswered(_w, key: tuple, limit: int):
    from miner.store.app_queries import unanswered as q

    return q(_w.db, limit)


def unanswered(limit: int = 15):
    return _unanswered(ws(), token(), limit)


@st.cache_data(show_spinner=False, max_entries=64)
def _threads(_w, key: tuple, query: str, limit: int):
    from miner.store.app_queries import recent_threads

    return recent_threads(_w.db, limit, query=query or None)


def threads(query: str = "", limit: int = 300):
    return _threads(ws(), token(), query, limit)


@st.cache_data(show_spinner=False, max_entries=2048)
def _thread(_w, key: tuple, ref: str):
    from miner.store.queries import resolve_thread

    return resolve_thread(_w.db, ref)


def thread(ref: str):
    return _thread(ws(), token(), ref)


@st.cache_data(show_spinner=False, max_entries=64)
def _thread_messages(_w, key: tuple, thread_id: str):
    from miner.store.queries import iter_messages

    return list(iter_messages(_w.db, thread_id=thread_id))


def thread_messages(thread_id: str):
    msgs = _thread_messages(ws(), token(), thread_id)
    p = pseudo()
    return [p.message(m) for m in msgs] if p else msgs


def participants(thread_id: str):
    from miner.store.app_queries import thread_participants

    people = thread_participants(ws().db, thread_id)
    p = pseudo()
    return [p.person(x) if x.person_id >= 0 else x for x in people] if p else people


@st.cache_data(show_spinner=False, max_entries=2048)
def _message(_w, key: tuple, message_id: str):
    from miner.store.queries import get_message

    return get_message(_w.db, message_id)


def message(message_id: str):
    m = _message(ws(), token(), message_id)
    p = pseudo()
    return p.message(m) if p else m


@st.cache_data(show_spinner=False, max_entries=16)
def _people_choices(_w, key: tuple):
    from miner.store.app_queries import people_choices as q

    return q(_w.db)


def people_choices() -> list[tuple[int, str]]:
    rows = _people_choices(ws(), token())
    p = pseudo()
    return [(pid, p.pseudonym(pid)) for pid, _ in rows] if p else rows


@st.cache_data(show_spinner=False, max_entries=16)
def _countries(_w, key: tuple):
    from miner.store.app_queries import countries as q

    return q(_w.db)


def countries() -> list[str]:
    return _countries(ws(), token())


# --------------------------------------------------------------------------- search

@st.cache_data(show_spinner=False, max_entries=128)
def _search(_w, key: tuple, query: str, k: int, mode: str, list_name, since, until, author,
            threads: bool):
    from miner.stages.search import search as s

    return s(_w, query, k=k, mode=mode, list_name=list_name, since=since, until=until,
             author=author, threads=threads)


def search(query: str, *, k: int = 20, mode: str = "hybrid", list_name=None, since=None,
           until=None, author=None, threads: bool = False):
    hits = _search(ws(), token(), query, k, mode, list_name, since, until, author, threads)
    p = pseudo()
    return [p.hit(h) for h in hits] if p else hits


@st.cache_data(show_spinner=False, max_entries=64)
def _more_like_this(_w, key: tuple, message_id, thread_id, k: int):
    from miner.stages.search import more_like_this as s

    return s(_w, message_id=message_id, thread_id=thread_id, k=k)


def more_like_this(*, message_id: str | None = None, thread_id: str | None = None, k: int = 10):
    hits = _more_like_this(ws(), token(), message_id, thread_id, k)
    p = pseudo()
    return [p.hit(h) for h in hits] if p else hits


# --------------------------------------------------------------------------- stage views

def cached_call(stage_name: str, func: str, *args, **kwargs):
    """``miner.stages.<stage_name>.<func>(ws, *args, **kwargs)``, cached on the data version."""
    return _cached_call(ws(), token(), stage_name, func, args, tuple(sorted(kwargs.items())))


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_call(_w, key: tuple, stage_name: str, func: str, args: tuple, kwargs: tuple):
    mod = importlib.import_module(f"miner.stages.{stage_name}")
    return getattr(mod, func)(_w, *args, **dict(kwargs))


def deferred(stage_name: str, func: str):
    """``miner.stages.<stage_name>.<func>`` bound to this session's workspace, uncached, to be
    called later (when a download is clicked: reads too big to keep in the cache)."""
    w = ws()
    fn = getattr(importlib.import_module(f"miner.stages.{stage_name}"), func)
    return lambda *args, **kwargs: fn(w, *args, **kwargs)


def call(stage_name: str, func: str, *args, **kwargs):
    """An uncached call that writes (rename, merge, save edits); invalidates the caches."""
    mod = importlib.import_module(f"miner.stages.{stage_name}")
    try:
        return getattr(mod, func)(ws(), *args, **kwargs)
    finally:
        edited()


@st.cache_resource(show_spinner=False, max_entries=4)
def _graph(_w, key: tuple):
    from miner.stages.experts import reply_graph

    return reply_graph(_w)


def reply_graph():
    return _graph(ws(), token())


def ingest_sources(specs: list[str], progress, *, list_name: str | None = None):
    try:
        return ws().ingest(specs, list_name=list_name, progress=progress)
    finally:
        edited()


def create_workspace(path: str) -> None:
    switch_workspace(path)
    st.session_state["_ws"] = open_workspace(workspace_path(), create=True)




@st.cache_data(show_spinner=False, max_entries=8)
def _network(_w, key: tuple, top_people: int):
    """Nodes (id, name, x, y, messages) and edges of the reply network, laid out once."""
    import networkx as nx

    from miner.store.app_queries import reply_edges

    edges = reply_edges(_w.db, top_people=top_people)
    g = nx.Graph()
    for e in edges:
        w0 = g.get_edge_data(e.source, e.target, {}).get("weight", 0)
        g.add_edge(e.source, e.target, weight=w0 + e.count)
        g.nodes[e.source]["name"] = e.source_name
        g.nodes[e.target]["name"] = e.target_name
    if not g:
        return [], []
    pos = nx.spring_layout(g, seed=42, weight="weight", iterations=100)
    deg = dict(g.degree(weight="weight"))
    nodes = [(n, g.nodes[n].get("name", ""), float(pos[n][0]), float(pos[n][1]), deg[n])
             for n in g]
    lines = [(a, b, d["weight"]) for a, b, d in g.edges(data=True)]
    return nodes, lines


def network(top_people: int = 60):
    nodes, lines = _network(ws(), token(), top_people)
    p = pseudo()
    if p is not None:
        nodes = [(n, p.pseudonym(n), x, y, d) for n, _, x, y, d in nodes]
    return nodes, lines
