"""The moderator's report on a written period."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from miner.errors import ConfigError
from miner.stages.report import moderator_report, render_report, write_report

from .conftest import insert


def test_report(ws, tmp_path):
    # before the period: person 1 posts (a returning contributor later)
    insert(ws, [(1, "An old question from last year about budgets, anyone?")], thread_id="old",
           subject="Old", start=datetime(2020, 5, 1, tzinfo=timezone.utc))
    # in the period: an active thread of 7 messages, answered after 5 hours
    insert(ws, [(0, "q"), (1, "a"), (2, "b"), (3, "c"), (4, "d"), (1, "e"), (2, "f")],
           thread_id="busy", subject="Busy <thread>", start=datetime(2021, 3, 1, tzinfo=timezone.utc))
    # an unanswered post (only its author wrote again)
    insert(ws, [(3, "Nobody answers me"), (3, "bump")], thread_id="lonely", subject="Lonely",
           start=datetime(2021, 3, 10, tzinfo=timezone.utc))
    r = moderator_report(ws, "2021-01-01", "2021-12-31")
    assert r.messages == 9 and r.threads_started == 2
    assert [t.thread_id for t in r.active_threads] == ["busy"]
    assert r.active_threads[0].messages == 7 and r.active_threads[0].participants == 5
    assert [u.subject for u in r.unanswered] == ["Lonely"]
    assert r.median_hours_to_first_answer == 5.0
    assert "Amina Yusuf" in r.returning_contributors and "Helena Brandt" in r.new_contributors
    assert any("problems" in n for n in r.notes)
    md = render_report(r, "md")
    assert "Busy &lt;thread&gt;" in md and "Lonely" in md
    assert "<thread>" not in render_report(r, "html")
    assert json.loads(render_report(r, "json"))["active_threads"][0]["thread_id"] == "busy"
    pytest.importorskip("docx")
    assert write_report(r, tmp_path / "r.docx", "docx").stat().st_size > 0
    assert moderator_report(ws, "2021-01-01", "2021-12-31", list_name="other").messages == 0
    with pytest.raises(ConfigError):
        moderator_report(ws, "last year", "2021-12-31")
