"""The post phase's quote matching (miner/ingest/post_write.py) decides as miner.ingest.quotes."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from miner.ingest.post_write import quote_matches
from miner.ingest.quotes import _matches, _probe_lines

_WORDS = st.sampled_from(["the", "Budget", "STRASSE", "straße", "ﬁnance", "  ", "\t", "water",
                          "İstanbul", "ΣΑΣ", "σας", "meeting-notes", "\u00a0", "x" * 20, "\n",
                          "Ωmega", "ǅ"])
_TEXT = st.lists(_WORDS, max_size=30).map(" ".join)


@st.composite
def _quote_and_candidate(draw):
    """A quote and a candidate text: unrelated, or the quote re-cased and re-spaced inside
    other text (the case the fast path decides without normalising)."""
    quoted = draw(_TEXT)
    if draw(st.booleans()):
        return quoted, draw(_TEXT)
    body = draw(st.sampled_from([str.upper, str.lower, str.title, lambda t: t]))(quoted)
    body = body.replace(" ", draw(st.sampled_from([" ", "  ", "\t", "\n"])))
    return quoted, draw(_TEXT) + " " + body + " " + draw(_TEXT)


@settings(max_examples=500)
@given(_quote_and_candidate())
def test_quote_matches_decides_as_the_quote_linker(pair):
    quoted, candidate = pair
    probes = _probe_lines(quoted)
    assert quote_matches(probes, candidate) == _matches(probes, candidate)


def test_quote_matches_finds_a_rewrapped_quote_only_after_normalising():
    quoted = "We should fund the water budget before the\nmeeting of the regional council."
    wrapped = "WE SHOULD   FUND the water budget before the meeting\tof the regional council."
    probes = _probe_lines(quoted)
    assert probes and quote_matches(probes, wrapped) and _matches(probes, wrapped)
    assert not quote_matches(probes, "Something else entirely, at some length.")
