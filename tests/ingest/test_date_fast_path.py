"""The regex fast path of parse_date gives what the general path (parsedate_tz) gives."""
from __future__ import annotations

from email.utils import parsedate_tz

from hypothesis import given
from hypothesis import strategies as st

from miner.ingest import headers as H


def _general(value: str):
    d = H._from_tuple(parsedate_tz(value.strip()))
    return d if d is None or H._plausible(d) else None


@given(st.sampled_from(["", "Mon, ", "Sun, "]), st.integers(0, 40),
       st.sampled_from(["Jan", "Feb", "Jun", "Dec"]), st.integers(1960, 2100),
       st.integers(0, 25), st.integers(0, 61), st.integers(0, 61), st.sampled_from("+-"),
       st.integers(0, 9999), st.sampled_from(["", " (CET)", " (PST)"]))
def test_fast_path_matches_general(day_name, day, mon, year, hh, mm, ss, sign, off, zone):
    v = f"{day_name}{day} {mon} {year} {hh:02d}:{mm:02d}:{ss:02d} {sign}{off:04d}{zone}"
    fast = H._rfc_date(v)
    if fast is not None:  # when it declines, parse_date takes the general path itself
        assert (fast if H._plausible(fast) else None) == _general(v)
        assert H.parse_date(v) == _general(v)


def test_common_forms():
    assert H._rfc_date("Sun, 05 May 2019 10:00:00 +0200").isoformat() == "2019-05-05T08:00:00+00:00"
    assert H._rfc_date("5 May 2019 10:00:00 -0130 (XYZ)").isoformat() == "2019-05-05T11:30:00+00:00"
    assert H._rfc_date("Sun, 31 Feb 2019 10:00:00 +0200") is None  # left to the general path
    assert H.parse_date("sometime last tuesday") is None
