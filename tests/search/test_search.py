from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miner.errors import NotFoundError
from miner.stages import embeddings as E
from miner.stages.search import (
    QueryError,
    fts_expression,
    make_snippet,
    more_like_this,
    query_terms,
    search,
)
from miner.types import SearchHit

from ._ws import make_workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    w = make_workspace(tmp_path_factory.mktemp("s") / "ws")
    E.run(w)
    yield w
    w.close()


@pytest.mark.parametrize("mode", ["hybrid", "semantic", "keyword"])
def test_each_mode_finds_the_obvious_message(ws, mode):
    hits = search(ws, "budget transparency portal", mode=mode, k=3)
    assert hits and isinstance(hits[0], SearchHit)
    assert hits[0].thread_id == "t2"
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))


def test_snippet_highlights_query_terms(ws):
    hit = search(ws, "rural water", k=1)[0]
    assert hit.message_id == "m5@x"
    assert "**rural**" in hit.highlighted() and "**water**" in hit.highlighted()
    assert all(hit.snippet[a:b].lower() in ("rural", "water") for a, b in hit.highlights)


def test_filters_list_dates_author(ws):
    assert {h.list for h in search(ws, "elections budget water", list_name="gov")} == {"gov"}
    hits = search(ws, "elections budget water", since="2019-03", until="2019-03-01")
    assert [h.message_id for h in hits] == ["m3@x"]
    assert all(h.date.year == 2019 for h in search(ws, "elections budget", until="2019"))
    assert {h.author_name for h in search(ws, "elections budget water", author="alice")} == \
        {"Alice Ngo"}
    assert {h.person_id for h in search(ws, "elections budget water", author="2")} == {2}
    hits = search(ws, "youth elections", before="2019-01-06T10:00:00+00:00")
    assert [h.message_id for h in hits] == ["m1@x"]


def test_unknown_author_and_bad_date_are_user_errors(ws):
    with pytest.raises(NotFoundError, match="miner people"):
        search(ws, "x", author="nobody-like-this")
    with pytest.raises(QueryError, match="YYYY-MM-DD"):
        search(ws, "x", since="last tuesday")
    with pytest.raises(QueryError, match="hybrid"):
        search(ws, "x", mode="fuzzy")


def test_thread_results_group_messages(ws):
    hits = search(ws, "youth elections turnout", threads=True, k=5)
    assert hits[0].thread_id == "t1"
    assert hits[0].messages == 2 and hits[0].participants == 2
    assert set(hits[0].participant_names) == {"Alice Ngo", "Bob Otieno"}
    assert len({h.thread_id for h in hits}) == len(hits)


def test_empty_and_syntax_queries(ws):
    assert search(ws, "") == [] and search(ws, "   ") == []
    assert search(ws, "the of and", mode="keyword")  # only stop words: keep them
    hits = search(ws, '"quotes" AND (parens) NEAR* ^x -y', mode="keyword")
    assert hits and hits[0].message_id == "m6@x"


def test_fts_expression_quotes_everything():
    assert fts_expression(query_terms('a "b" OR c*')) == '"b" OR "c"*'
    assert fts_expression(query_terms("")) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(alphabet=st.characters(codec="utf-8"), max_size=60) |
       st.lists(st.sampled_from(['"', "(", ")", "AND", "OR", "NOT", "NEAR", "NEAR(", "*", "^", "-",
                                 ":", "subject:", "{", "}", "+", "é", "日本", "x", "'", ",", "\x00"]),
                max_size=12).map(" ".join))
def test_no_user_input_breaks_the_query(ws, q):
    for mode in ("keyword", "hybrid"):
        hits = search(ws, q, mode=mode, k=3)
        assert isinstance(hits, list) and len(hits) <= 3


@given(st.text(max_size=300), st.lists(st.text(min_size=1, max_size=8), max_size=4))
def test_snippet_offsets_point_at_terms(text, words):
    terms = query_terms(" ".join(words))
    snippet, marks = make_snippet(text, terms)
    assert len(snippet) <= 260
    for a, b in marks:
        assert 0 <= a < b <= len(snippet)


def test_more_like_this(ws):
    hits = more_like_this(ws, message_id="m1@x", k=3)
    assert hits and all(h.thread_id != "t1" for h in hits)
    threads = more_like_this(ws, thread_id="t2", k=3)
    assert threads and all(h.thread_id != "t2" for h in threads)
    with pytest.raises(QueryError):
        more_like_this(ws)


def test_ann_index_matches_exact_search(tmp_path):
    import numpy as np

    from ._ws import ROWS

    rows = [(f"k{i}@x", f"subject {i % 17}", f"text {i} about {ROWS[i % 6][2]}", f"t{i}", 1,
             f"2020-01-{1 + i % 28:02d}T00:00:00+00:00", "l", "A") for i in range(300)]
    w = make_workspace(tmp_path / "ann", rows)
    E.run(w)
    exact = [h.message_id for h in search(w, "youth turnout elections", mode="semantic", k=5)]
    w.config.set("ann_threshold", 10)
    approx = [h.message_id for h in search(w, "youth turnout elections", mode="semantic", k=5)]
    assert len(set(exact) & set(approx)) >= 4
    assert (w.path / "vectors" / f"{w.embedder.name}.hnsw").exists()
    w.close()
    del np


def test_hybrid_without_embeddings_falls_back_to_keywords(tmp_path):
    w = make_workspace(tmp_path / "noemb")
    assert search(w, "budget")[0].thread_id == "t2"
    w.close()
