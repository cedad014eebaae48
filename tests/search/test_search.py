from __future__ import annotations

import itertools

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
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))


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


def test_rrf_fusion_rewards_agreement_and_weights():
    from miner.stages.search import fuse

    dense, kw = [(1, 0.9), (2, 0.8)], [(2, 5.0), (3, 4.0)]
    out = fuse(dense, kw, weight=0.5, method="rrf")
    assert next(i for i, _ in out) == 2 and {i for i, _ in out} == {1, 2, 3}
    assert [i for i, _ in fuse(dense, kw, weight=0.9, method="rrf")][:2] == [2, 1]
    assert [i for i, _ in fuse(dense, kw, weight=0.1, method="rrf")][:2] == [2, 3]


def test_fusion_is_chosen_per_model():
    from miner.stages.search import FUSION_DEFAULT, fusion_for

    assert fusion_for("all-MiniLM-L6-v2")[0] in ("rrf", "convex")
    assert fusion_for("some-fake-model") == FUSION_DEFAULT


def _many(tmp_path, n=300):
    rows = [(f"k{i}@x", f"subject {i % 17}", (f"common words here {'alpha' if i % 3 else 'beta'} "
             f"{'gamma' if i % 5 == 0 else ''} item{i}"), f"t{i}", 1 + i % 3,
             f"2020-{1 + i % 12:02d}-01T00:00:00+00:00", "a" if i % 2 else "b", "A")
            for i in range(n)]
    return make_workspace(tmp_path / "many", rows)


def test_fts_keyword_budget_bounds_work_and_filters_still_hold(tmp_path):
    from miner.stages import search as S

    w = _many(tmp_path)
    terms = S.query_terms("alpha gamma")
    exact = S.fts_keyword_ranking(w.db, terms, "", [], 50, budget=10**6)
    assert exact and all(a[1] >= b[1] for a, b in itertools.pairwise(exact))
    small = S.fts_keyword_ranking(w.db, terms, "", [], 50, budget=20)
    assert 0 < len(small) <= 50
    where, args = S._filters(w.db, "a", None, None, None, None)
    ok = {r[0] for r in w.db.execute("SELECT id FROM messages WHERE list = 'a'")}
    paged = S.fts_keyword_ranking(w.db, terms, where, args, 30, budget=10)  # pages through matches
    assert len(paged) == 30 and {i for i, _ in paged} <= ok
    assert S.fts_keyword_ranking(w.db, S.query_terms("nothingmatches"), where, args, 5) == []
    w.close()


@pytest.mark.parametrize("query", ["alpha gamma", "gamma item7", "beta", "subject 3", "item1*",
                                   "unicode alpha"])
def test_index_bm25_equals_fts5_bm25(tmp_path, query):
    """The posting-list index scores exactly as FTS5's bm25() (all matches, no budget)."""
    from miner.stages import search as S

    w = _many(tmp_path)
    w.db.execute("UPDATE messages SET text = text || ' Ünïcödé' WHERE id % 7 = 0")
    terms = S.query_terms(query)
    fts = S.fts_keyword_ranking(w.db, terms, "", [], 400, budget=10**6)
    idx = S.keyword_ranking(w.db, terms, "", [], 400)
    assert fts and len(idx) == len(fts)
    assert dict(idx).keys() == dict(fts).keys()
    for i, s in fts:
        assert abs(dict(idx)[i] - s) < 1e-4 * max(1.0, abs(s))
    accents = {i for i, _ in S.keyword_ranking(w.db, S.query_terms("ÜNÏCÖDÉ"), "", [], 400)}
    assert accents == {r[0] for r in w.db.execute(
        "SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'Ünïcödé'")} and accents
    w.close()


def test_keyword_index_is_persisted_and_extended_not_rebuilt(tmp_path):
    from miner.stages import search as S
    from miner.stages.search import keyword as K

    from ._ws import add_message

    w = _many(tmp_path, 100)
    assert S.update_keyword_index(w)["done"] == "rebuilt"
    root = K.index_dir(w.db)
    assert (root / "meta.json").exists()
    K._INDEX.clear()  # a new process: loads the saved index
    assert S.update_keyword_index(w)["done"] == "current"
    with w.db:
        add_message(w, "new1@x", "zebra crossing", "a zebra and alpha", "tz", 1,
                    "2021-01-01T00:00:00+00:00", "a", "A")
    rep = S.update_keyword_index(w)
    assert rep["done"] == "added 1" and rep["segments"] == 2 and rep["messages"] == 101
    hits = S.search(w, "zebra", mode="keyword")
    assert [h.message_id for h in hits] == ["new1@x"]
    K._INDEX.clear()
    assert S.keyword_index(w.db).count == 101  # reloaded with both segments
    with w.db:  # an edit (no new message): the index is rebuilt, the old text is gone
        w.db.execute("UPDATE messages SET text = 'a horse' WHERE key = 'new1@x'")
        w.db.execute("UPDATE messages SET subject = 'horse' WHERE key = 'new1@x'")
    assert S.search(w, "zebra", mode="keyword") == []
    assert [h.message_id for h in S.search(w, "horse", mode="keyword")] == ["new1@x"]
    w.close()


def test_terms_in_most_messages_are_dropped(tmp_path):
    from miner.stages import search as S

    w = _many(tmp_path)
    kept, df = S.select_terms(w.db, S.query_terms("common gamma"))
    assert [t for t, _ in kept] == ["gamma"] and df["common"] == 300
    kept, _ = S.select_terms(w.db, S.query_terms("common"))  # nothing else left: keep it
    assert [t for t, _ in kept] == ["common"]
    w.close()


def test_read_only_workspace_searches_without_writing_an_index(tmp_path):
    from miner.stages.search import keyword as K
    from miner.workspace import Workspace

    w = _many(tmp_path, 50)
    w.close()
    K._INDEX.clear()
    ro = Workspace.open(tmp_path / "many", readonly=True)
    assert [h.message_id for h in search(ro, "item7", mode="keyword")] == ["k7@x"]
    assert not (tmp_path / "many" / "search").exists()
    ro.close()


def test_more_like_this_without_vectors_uses_keywords_and_leaves_the_thread_out(tmp_path):
    w = _many(tmp_path, 60)  # one thread per message, shared words
    with w.db:
        w.db.execute("UPDATE messages SET thread_id = 't3' WHERE key IN ('k5@x', 'k6@x')")
    hits = more_like_this(w, message_id="k3@x", k=5)
    assert len(hits) == 5 and all(h.thread_id != "t3" for h in hits)
    assert "k3@x" not in {h.message_id for h in hits}
    w.close()
