"""Unit tests of miner.people and miner.orgs on tiny hand-written cases."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miner.orgs import org_from_domain
from miner.people import (
    address_fingerprint,
    canonical_address,
    deobfuscate_address,
    display_name,
    name_keys,
    normalize_name,
    resolve_people,
)
from miner.types import Sender


def S(key, name, email, lst="l", n=1):
    return Sender(key, name, email, lst, n)


@pytest.mark.parametrize(
    "raw, plain",
    [
        ("jepusto at gmail.com", "jepusto@gmail.com"),
        ("Roger.Martineau at AGR.GC.CA", "roger.martineau@agr.gc.ca"),
        ("usuario en dominio.es", "usuario@dominio.es"),
        ("<A@B.org>", "a@b.org"),
        ("jepu@to @end|ng |rom gm@||@com", None),  # lossy scramble
        ("not an address", None),
        ("", None),
    ],
)
def test_deobfuscate_address(raw, plain):
    assert deobfuscate_address(raw) == plain


def test_canonical_address_folds_googlemail():
    assert canonical_address("Joe.Bloggs@GoogleMail.com") == "joe.bloggs@gmail.com"


@pytest.mark.parametrize(
    "scrambled, plain",
    [
        ("wo||g@ng@v|echtb@uer @end|ng |rom m@@@tr|chtun|ver@|ty@n|",
         "wolfgang.viechtbauer@maastrichtuniversity.nl"),
        ("wolfg@ng@viechtb@uer @ending from m@@@trichtuniver@ity@nl",
         "wolfgang.viechtbauer at maastrichtuniversity.nl"),
        ("jepu@to @end|ng |rom gm@||@com", "jepusto@googlemail.com"),
        ("||@t@ @end|ng |rom dewey@myzen@co@uk", "lists at dewey.myzen.co.uk"),
        ("Ruecker @end|ng |rom |mb|@un|-|re|burg@de", "ruecker@imbi.uni-freiburg.de"),
    ],
)
def test_fingerprint_matches_scrambled_and_plain(scrambled, plain):
    assert address_fingerprint(scrambled) == address_fingerprint(plain) is not None


def test_fingerprint_separates_different_addresses():
    assert address_fingerprint("jepusto@gmail.com") != address_fingerprint("jepusto@gmx.de")
    assert address_fingerprint("bob@x.org") != address_fingerprint("rob@x.org")


@pytest.mark.parametrize(
    "name, norm",
    [
        ("Viechtbauer, Wolfgang (SP)", "wolfgang viechtbauer"),
        ("Dr. Gerta Rücker", "gerta rucker"),
        ('"Prof. Maria  GARCÍA"', "maria garcia"),
        ("P. Roberto Bakker", "roberto bakker"),
        ("John Q. Public", "john public"),
        ("Mrs. Jane Doe-Smith", "jane doe smith"),
        ("'Lee Duncan' via open-iscsi", "lee duncan"),
        ("Martineau, Roger", "roger martineau"),
        ("Doe, PhD", "doe"),
        ("", ""),
    ],
)
def test_normalize_name(name, norm):
    assert normalize_name(name) == norm


@pytest.mark.parametrize("name", ["John", "admin", "List Owner", "Info Team", "", "joe@x.org",
                                  "Mailer Daemon", " via R-sig-meta-analysis"])
def test_vague_names_have_no_keys(name):
    assert name_keys(name) == []


def test_name_keys_match_order_and_transliteration():
    assert set(name_keys("Viechtbauer Wolfgang")) & set(name_keys("Viechtbauer, Wolfgang (NP)"))
    assert set(name_keys("Gerta Rücker")) & set(name_keys("Gerta Ruecker"))


def test_display_name_prefers_accents_and_capitals_within_the_main_spelling():
    assert display_name(["Gerta Ruecker"] * 5 + ["Dr. Gerta Rücker"] * 2) == "Gerta Rücker"
    assert display_name(["Viechtbauer, Wolfgang (SP)"] * 3 + ["wolfgang viechtbauer"]) == \
        "Wolfgang Viechtbauer"
    assert display_name(["Ann Lee", "Ann Lee", "Bob Ray"]) == "Ann Lee"
    assert display_name([]) == ""


_SPELLINGS = ["Ann Lee", "ann lee", "Lee, Ann", "Dr. Ann Lée", "ANN LEE", "Bob Ray", "bob ray",
              "Bob Ray (NP)", "Ray Bob", "", "  ", "Ann"]


@settings(max_examples=150)
@given(st.lists(st.tuples(st.sampled_from(_SPELLINGS), st.integers(1, 6)), max_size=8,
                unique_by=lambda t: t[0]))
def test_display_name_of_counts_equals_display_name_of_the_spellings(pairs):
    """The post phase passes {spelling: count} (each spelling cleaned once); the answer is
    that of every spelling listed as often as it was seen, in the same order."""
    expanded = [n for n, c in pairs for _ in range(c)]
    assert display_name(dict(pairs)) == display_name(expanded)


def test_resolve_same_address_and_obfuscations():
    senders = [
        S("a", "James Pustejovsky", "jepusto at gmail.com"),
        S("b", "J. P.", "jepu@to @end|ng |rom gm@||@com"),
        S("c", "JP", "JEPUSTO@googlemail.com"),
        S("d", "Someone Else", "else@gmail.com"),
    ]
    people, merges = resolve_people(senders)
    assert people["a"] == people["b"] == people["c"] == 0
    assert people["d"] == 1
    reasons = {(m.a, m.b): m.reason for m in merges}
    assert reasons[("a", "b")] == "obfuscated address"
    assert "obfuscated address" in reasons.values()


def test_resolve_same_name_only_when_specific():
    people, merges = resolve_people([
        S("a", "Wolfgang Viechtbauer", "w@um.nl"),
        S("b", "Viechtbauer, Wolfgang (SP)", "wolfgang@other.org"),
        S("c", "John", "john1@x.org"),
        S("d", "John", "john2@y.org"),
        S("e", "admin", "admin@x.org"),
        S("f", "Admin", "admin@y.org"),
    ])
    assert people["a"] == people["b"]
    assert len({people["c"], people["d"], people["e"], people["f"]}) == 4
    assert [m.reason for m in merges] == ["same normalised name"]


def test_dmarc_rewrites_keep_distinct_names_apart():
    people, merges = resolve_people([
        S("v1", "Alice Martin via Gov-CoP", "gov-cop@lists.example.org"),
        S("v2", "Bob Okafor via Gov-CoP", "gov-cop@lists.example.org"),
        S("v3", "'Alice Martin' via Gov-CoP", "gov-cop@lists.example.org"),
        S("r1", "Alice Martin", "alice@ngo.example"),
        S("v4", "Carla via Gov-CoP", "gov-cop@lists.example.org"),
        S("v5", "Dan via Gov-CoP", "gov-cop@lists.example.org"),
        S("m1", "Mailman list", "gov-cop@lists.example.org", lst="gov-cop"),
    ])
    assert people["v1"] == people["v3"] == people["r1"]
    assert len({people["v1"], people["v2"], people["v4"], people["v5"], people["m1"]}) == 5
    assert {m.reason for m in merges} == {"dmarc rewrite"}


def test_list_posting_address_is_not_an_identity():
    people, _ = resolve_people([
        S("a", "Ann One", "devel@lists.example.org", lst="devel"),
        S("b", "Ben Two", "devel@lists.example.org", lst="devel"),
    ])
    assert people["a"] != people["b"]


def test_forced_merges_and_splits():
    senders = [S("a", "Ann Lee", "a@x.org"), S("b", "Ann Lee", "b@y.org"),
               S("c", "Cy", "c@z.org"), S("d", "Cy Q", "a@x.org")]
    people, merges = resolve_people(senders, forced_merges=[("a", "c")],
                                    forced_splits=[("a", "b"), "d"])
    assert people["a"] == people["c"]
    assert people["b"] != people["a"]
    assert people["d"] != people["a"]
    assert merges[0].reason == "forced"


def test_person_indices_follow_first_appearance():
    people, _ = resolve_people([S("z", "Zed Zulu", "z@x"), S("y", "Yan Y", "y@x"),
                                S("x", "Zed Zulu", "other@x")])
    assert people == {"z": 0, "y": 1, "x": 0}


def test_duplicate_sender_keys_rejected():
    with pytest.raises(ValueError):
        resolve_people([S("a", "A B", "a@x"), S("a", "A B", "a@x")])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Ann Lee", "Lee, Ann", "Bob", "admin", "Ann via L", ""]),
                          st.sampled_from(["a@x.org", "a at x.org", "@ @end|ng |rom x@org", "l@x",
                                           "", "junk"])), max_size=30))
def test_resolution_is_a_partition_with_dense_stable_ids(rows):
    senders = [S(f"k{i}", n, e) for i, (n, e) in enumerate(rows)]
    people, merges = resolve_people(senders)
    assert set(people) == {s.key for s in senders}
    ids = [people[s.key] for s in senders]
    seen = []
    for p in ids:  # dense, by first appearance
        if p not in seen:
            assert p == len(seen)
            seen.append(p)
    assert len(merges) == len(senders) - len(seen)  # one recorded merge per join
    for m in merges:
        assert people[m.a] == people[m.b]


@pytest.mark.parametrize(
    "email, expected",
    [
        ("wolfgang.viechtbauer at maastrichtuniversity.nl", ("Maastricht University", "Netherlands")),
        ("x@somewhere.ac.uk", (None, "United Kingdom")),
        ("x@cs.stanford.edu", ("Stanford University", "United States")),
        ("x@random-college.edu", (None, "United States")),
        ("x@foo.de", (None, "Germany")),
        ("x@who.int", ("World Health Organization", None)),
        ("x@gmail.com", (None, None)),
        ("garbage", (None, None)),
        (None, (None, None)),
    ],
)
def test_org_from_domain(email, expected):
    assert org_from_domain(email) == expected
