"""Every page of the app runs on a demo-corpus workspace with no exception and shows what it
should (streamlit's AppTest: no browser)."""
from __future__ import annotations

import importlib.util

import pytest

from tests.app.conftest import PAGES, open_page


def _stage_installed(name: str) -> bool:
    return importlib.util.find_spec(f"miner.stages.{name}") is not None


def _texts(at) -> str:
    parts = []
    for kind in ("markdown", "caption", "text", "info", "error", "warning", "success", "title",
                 "header", "subheader", "code"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    return "\n".join(parts)


@pytest.mark.parametrize("page", PAGES)
def test_page_runs(app_env, page):
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == page.capitalize()


def test_overview_figures(app_env):
    at = open_page("overview")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Messages"] == "174"  # 173 list messages (digest copies dropped) + the hostile one
    assert int(metrics["Threads"]) >= 20
    assert int(metrics["People"]) >= 30
    assert metrics["Years"] == "2019–24"
    assert any("E-Discussion" in str(df.value.to_string()) for df in at.dataframe)


def test_search_finds_and_exports(app_env):
    at = open_page("search")
    at.text_input(key="q").set_value("young voters elections").run()
    assert not at.exception, [e.value for e in at.exception]
    found = _texts(at)
    assert "found" in found and "young" in found.lower()
    assert len(at.get("download_button")) == 2
    at.radio(key="unit").set_value("Messages").run()
    assert not at.exception
    mlt = [b for b in at.button if b.label == "More like this"]
    assert mlt
    mlt[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "More like this" for s in at.subheader)


def test_discussion_reader_and_reply(app_env):
    at = open_page("discussion")
    assert "Strengthening citizen participation" in at.header[0].value.replace("\\", "")
    assert any(e.label == "Quoted text" for e in at.expander)
    people = at.dataframe[0].value
    assert len(people) >= 20 and "country" in people.columns
    if not _stage_installed("summary"):
        pytest.skip("summary stage not installed")
    gen = [b for b in at.button if b.label.startswith("Generate")]
    gen[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    themes = [t for t in at.text_input if t.key and t.key.startswith("lbl_")]
    assert themes, "the draft has themes"
    themes[0].set_value("Renamed theme").run()
    md_code = [c.value for c in at.code if "Renamed theme" in c.value]
    assert md_code, "the rename shows in the preview of the export"
    assert len([b for b in at.get("download_button")]) == 3


def test_topics_page(app_env):
    if not _stage_installed("topics"):
        pytest.skip("topics stage not installed")
    at = open_page("topics")
    assert at.dataframe and len(at.dataframe[0].value) >= 2
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")


def test_practices_and_experts(app_env):
    if _stage_installed("practices"):
        at = open_page("practices")
        assert "lessons" in _texts(at)
        assert len(at.get("download_button")) == 3
    if _stage_installed("experts"):
        at = open_page("experts")
        assert at.dataframe and len(at.dataframe[0].value) > 0
        at.text_area(key="ask_q").set_value("How do we register voters with biometrics?").run()
        assert not at.exception, [e.value for e in at.exception]


def test_problems_page(app_env):
    at = open_page("problems")
    if not _stage_installed("problems"):
        assert "miner analyze" in _texts(at)  # a note with the command, not a crash
        return
    assert at.dataframe or "No recurring problem" in _texts(at)


def test_problems_page_with_problems(app_env, monkeypatch):
    """The page's table and cards, with a recurring problem made up from two demo threads."""
    if not _stage_installed("problems"):
        pytest.skip("problems stage not installed")
    import streamlit as st

    from miner.stages import problems
    from miner.store.queries import list_threads
    from miner.workspace import Workspace

    with Workspace.open(app_env) as ws:
        ts = [t for t in list_threads(ws.db) if "vote" in t.subject.lower()][:2]
    made = problems.Problem(problem_id=1, question="How do we get first-time voters to vote?",
                            threads=tuple(t.thread_id for t in ts), count=2, people=2,
                            first_seen="2019-01-01", last_seen="2022-01-01",
                            answers=(ts[0].root_message_id,))
    monkeypatch.setattr(problems, "list_problems", lambda ws: [made])
    st.cache_data.clear()
    at = open_page("problems")
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert list(table["asked"]) == [2] and "first-time voters" in table["question"][0]
    assert any(b.label.startswith(ts[0].subject[:20].replace("[", "\\[")) or "messages)" in b.label
               for b in at.button)
    st.cache_data.clear()


def test_missing_stage_shows_a_note(app_env, monkeypatch):
    from app_pages import resources

    monkeypatch.setattr(resources, "stage", lambda name: None)
    for page in ("topics", "problems", "practices", "experts"):
        at = open_page(page)
        assert not at.exception, [e.value for e in at.exception]
        assert "miner analyze" in _texts(at), page


def test_pseudonymise_switch_hides_names(app_env):
    at = open_page("discussion", pseudonymise=True)
    assert not at.exception
    shown = _texts(at) + "\n".join(str(d.value.to_string()) for d in at.dataframe)
    assert "Helena Brandt" not in shown
    assert "Person " in shown


def test_no_workspace_is_a_clear_note(tmp_path, monkeypatch):
    monkeypatch.setenv("MINER_WORKSPACE", str(tmp_path / "nothing"))
    at = open_page("overview")
    assert not at.exception
    assert "no miner workspace" in at.error[0].value
    at = open_page("ingest")
    assert not at.exception and "first archive you add creates it" in _texts(at)


def test_ingest_upload_is_safe(tmp_path, monkeypatch):
    from app_pages.uploads import safe_filename, save_upload

    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("..\\..\\win.ini") == "win.ini"
    assert safe_filename("....") == "archive"
    p = save_upload(tmp_path / "uploads", "../../evil.mbox", b"x", 10)
    assert p.parent == (tmp_path / "uploads").resolve() and p.name == "evil.mbox"
    with pytest.raises(Exception, match="MB"):
        save_upload(tmp_path / "uploads", "big.mbox", b"x" * 11, 10)


def test_ingest_a_path_then_settings(tmp_path, monkeypatch):
    """A new workspace from the Ingest page (a path), then the Settings switches."""
    from tests.app.conftest import HOSTILE

    mbox = tmp_path / "small.mbox"
    mbox.write_bytes(HOSTILE)
    monkeypatch.setenv("MINER_WORKSPACE", str(tmp_path / "new-ws"))
    monkeypatch.setenv("MINER_APP_EMBEDDER", "hashing")
    at = open_page("ingest")
    at.text_input(key="ing_path").set_value(str(mbox))
    next(b for b in at.button if b.label == "Add to the workspace").click().run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Added"] == "1" and metrics["Seen"] == "1"
    assert (tmp_path / "new-ws" / "corpus.sqlite").exists()

    at = open_page("settings")
    at.toggle[0].set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "pseudonymise = true" in (tmp_path / "new-ws" / "miner.toml").read_text()
    at.radio[0].set_value("fast").run()
    assert 'mode = "fast"' in (tmp_path / "new-ws" / "miner.toml").read_text()
    at = open_page("overview")  # a new session reads the saved switch
    assert "pseudonymised" in _texts(at)
