"""Unit tests of miner.threads on tiny hand-written cases, plus a hypothesis property test."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miner.threads import is_reply_subject, normalize_subject, parse_msgids, thread_messages
from miner.types import ThreadInput

T0 = datetime(2020, 1, 1, tzinfo=timezone.utc)


def mk(key, mid=None, irt=None, refs=(), subject="s", day=0.0, lst="l"):
    return ThreadInput(key, mid, irt, tuple(refs), subject, T0 + timedelta(days=day), lst)


def run(*items, **kw):
    return {link.key: (link.parent_key, link.root_key) for link in thread_messages(items, **kw)}


def assert_sane(items, links):
    """Every key exactly once; parent chains acyclic and end at the thread's root or None."""
    keys = [i.key for i in items]
    assert sorted(link.key for link in links) == sorted(keys)
    by = {link.key: link for link in links}
    for link in links:
        seen = set()
        k = link.key
        while by[k].parent_key is not None:
            assert k not in seen, f"cycle through {k}"
            seen.add(k)
            k = by[k].parent_key
            assert by[k].root_key == link.root_key
        assert by[link.root_key].root_key == link.root_key
        assert by[link.root_key].parent_key is None


def test_simple_chain_in_reply_to_and_references():
    r = run(
        mk("a", "<1@x>", subject="Hello"),
        mk("b", "<2@x>", "<1@x>", ["<1@x>"], "Re: Hello", 1),
        mk("c", "<3@x>", None, ["<1@x>", "<2@x>"], "Re: Hello", 2),
    )
    assert r == {"a": (None, "a"), "b": ("a", "a"), "c": ("b", "a")}


def test_in_reply_to_wins_over_last_reference_when_in_set():
    # notmuch threading/parent-priority: References names a mistyped id
    r = run(
        mk("root", "<root@x>"),
        mk("child", "<child@x>", "<root@x>", ["<ro--ot@x>"], day=1),
    )
    assert r["child"] == ("root", "root")


def test_two_message_loop_terminates_and_older_is_root():
    r = run(mk("a", "<a@x>", "<b@x>", day=0), mk("b", "<b@x>", "<a@x>", day=1))
    assert r == {"a": (None, "a"), "b": ("a", "a")}


def test_self_reference_and_long_cycle():
    items = [mk("s", "<s@x>", "<s@x>", ["<s@x>"])]
    items += [mk(f"c{i}", f"<c{i}@x>", f"<c{(i + 1) % 50}@x>", day=i) for i in range(50)]
    links = thread_messages(items)
    assert_sane(items, links)
    by = {link.key: link for link in links}
    assert by["s"].parent_key is None and by["s"].root_key == "s"
    assert len({by[f"c{i}"].root_key for i in range(50)}) == 1


def test_missing_parent_siblings_share_thread_with_earliest_as_root():
    r = run(
        mk("b", "<b@x>", "<gone@x>", ["<gone@x>"], "Re: q", 2),
        mk("a", "<a@x>", "<gone@x>", ["<gone@x>"], "Re: q", 1),
        mk("c", "<c@x>", "<a@x>", ["<gone@x>", "<a@x>"], "Re: q", 3),
    )
    assert r == {"a": (None, "a"), "b": (None, "a"), "c": ("a", "a")}


def test_placeholder_skipped_to_nearest_real_ancestor():
    # notmuch ghost-root: fake-root replies to a missing message whose parent is child
    r = run(
        mk("root", "<root@x>"),
        mk("child", "<child@x>", "<root@x>", ["<root@x>"], day=1),
        mk("fake", "<fake@x>", "<none@x>", ["<root@x>", "<child@x>", "<none@x>"], day=0.5),
    )
    assert r["fake"] == ("child", "root")
    assert r["child"] == ("root", "root")


def test_duplicate_message_ids_first_by_date_owns_it():
    r = run(
        mk("dup_late", "<d@x>", subject="other", day=5),
        mk("dup_early", "<d@x>", subject="first", day=1),
        mk("reply", "<r@x>", "<d@x>", day=6),
    )
    assert r["reply"] == ("dup_early", "dup_early")
    assert r["dup_late"] == (None, "dup_late")


def test_duplicate_keys_rejected():
    with pytest.raises(ValueError, match="duplicate thread key"):
        thread_messages([mk("a"), mk("a")])


def test_broken_headers_and_bracketless_ids():
    r = run(
        mk("a", "1@x"),
        mk("b", "<2@x>", "1@x (message from Joe)", ["garbage ((( <<", ""], day=1),
        mk("c", "<3@x>", None, ["<1@x> junk <2@x>"], day=2),
    )
    assert r == {"a": (None, "a"), "b": ("a", "a"), "c": ("b", "a")}


def _parse_msgids_by_rules(value):
    """parse_msgids without its fast path for bare ids: the rules its docstring states (and
    the long-standing one-bracketed-token shortcut, which reads "<>" as an empty id)."""
    import re

    if not value:
        return []
    if value[0] == "<" and value[-1] == ">" and value.count("<") == 1 and " " not in value:
        return [value[1:-1]]
    found = re.findall(r"<([^<>\s]+)>", value)
    if found:
        return found
    found = re.findall(r"[^\s<>,;()\"']+@[^\s<>,;()\"']+", value)
    if found:
        return [f.strip(".") for f in found]
    tok = value.strip()
    return [tok] if tok and not any(c.isspace() for c in tok) and len(tok) < 250 else []


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from(list("ab.@<> ,;()\"'-\t\u00a0é")), max_size=24))
def test_parse_msgids_fast_paths_follow_the_rules(value):
    assert parse_msgids(value) == _parse_msgids_by_rules(value)


def test_parse_msgids():
    assert parse_msgids("<a@b> <c@d>") == ["a@b", "c@d"]
    assert parse_msgids("a@b, c@d") == ["a@b", "c@d"]
    assert parse_msgids("") == [] and parse_msgids(None) == []
    assert parse_msgids("   ") == []
    assert parse_msgids("x.1@host.") == ["x.1@host"]  # bare, as the store keeps References


def test_subject_join_needs_reply_prefix():
    r = run(
        mk("a", "<a@x>", subject="[gov-cop] Water pricing"),
        mk("b", "<b@x>", subject="Re: [gov-cop] Water pricing", day=1),
        mk("c", "<c@x>", subject="[gov-cop] Water pricing", day=2),  # same subject, no prefix
        mk("d", "<d@x>", subject="AW: Re: [gov-cop] RE: water  PRICING", day=3),
    )
    assert r["b"] == ("a", "a")
    assert r["c"] == (None, "c")  # never merged with a's thread
    assert r["d"] == ("c", "c")  # joins the most recent thread of that subject


def test_subject_join_respects_window_and_list():
    r = run(
        mk("a", "<a@x>", subject="Budget"),
        mk("b", "<b@x>", subject="Re: Budget", day=45),
        mk("c", "<c@x>", subject="Re: Budget", day=1, lst="other"),
    )
    assert r["b"] == (None, "b")
    assert r["c"] == (None, "c")
    assert run(mk("a", "<a@x>", subject="Budget"), mk("b", "<b@x>", subject="Re: Budget", day=45),
               subject_window_days=60)["b"] == ("a", "a")


def test_subject_join_window_counts_from_last_activity():
    r = run(
        mk("a", "<a@x>", subject="Budget"),
        mk("b", "<b@x>", "<a@x>", subject="Re: Budget", day=25),
        mk("c", "<c@x>", subject="Re: Budget", day=50),
    )
    assert r["c"] == ("b", "a")


def test_undated_messages_are_ordered_by_input_position():
    items = [mk("a", "<a@x>", subject="X"),
             ThreadInput("b", "<b@x>", None, (), "Re: X", None, "l")]
    assert run(*items)["b"] == ("a", "a")


@pytest.mark.parametrize(
    "subject, expected, reply",
    [
        ("Re: Re: [x] Re: Hello", "Hello", True),
        ("[R-sig-teaching] RE:  Fwd: Hello  World", "Hello World", True),
        ("AW: Frage", "Frage", True),
        ("Sv: Svar", "Svar", True),
        ("Réf : Réunion", "Réunion", True),
        ("RV: Reunión", "Reunión", True),
        ("TR: Transfert", "Transfert", True),
        ("Antw: Vraag", "Vraag", True),
        ("Odp: Pytanie", "Pytanie", True),
        ("Vs: Kysymys", "Kysymys", True),
        ("回复：会议", "会议", True),
        ("答复: 会议", "会议", True),
        ("Re[2]: counters", "counters", True),
        ("Re^3: counters", "counters", True),
        ("[gov-cop] Water pricing", "Water pricing", False),
        ("Regarding the budget", "Regarding the budget", False),
        ("R: the language", "R: the language", False),
        ("Resolved: FYI", "Resolved: FYI", False),
        ("", "", False),
    ],
)
def test_normalize_subject(subject, expected, reply):
    assert normalize_subject(subject) == expected
    assert is_reply_subject(subject) is reply


# ------------------------------------------------------------------ property test

@st.composite
def graphs(draw):
    n = draw(st.integers(1, 25))
    ids = [f"<m{i}@x>" for i in range(n)] + ["<ghost1@x>", "<ghost2@x>"]
    items = []
    for i in range(n):
        mid = draw(st.sampled_from([ids[i], ids[i], ids[i], None, ids[draw(st.integers(0, n - 1))]]))
        irt = draw(st.one_of(st.none(), st.sampled_from(ids), st.just("garbage")))
        refs = draw(st.lists(st.sampled_from(ids + ["", "junk ((("]), max_size=5))
        subj = draw(st.sampled_from(["Topic", "Re: Topic", "Other", "Re: Other", "[t] Re: Topic"]))
        day = draw(st.one_of(st.none(), st.integers(0, 90)))
        date = None if day is None else T0 + timedelta(days=day)
        items.append(ThreadInput(f"k{i}", mid, irt, tuple(refs), subj, date, "l"))
    return items


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_random_reference_graphs_are_sane(items):
    assert_sane(items, thread_messages(items))
