"""Countries named in a text, from the shared gazetteer (:mod:`miner.clean.countries`) plus a few
demonyms and "U.S."-style forms, matched on word boundaries.

    >>> find_countries("We ran it in Kenyan schools and in the U.S. last year")
    ['Kenya', 'United States']
"""
from __future__ import annotations

import functools
import re

from miner.clean.countries import COUNTRIES

_EXTRA = {
    "american": "United States", "u.s.": "United States", "us-based": "United States",
    "british": "United Kingdom", "canadian": "Canada", "australian": "Australia",
    "german": "Germany", "french": "France", "dutch": "Netherlands", "italian": "Italy",
    "spanish": "Spain", "indian": "India", "chinese": "China", "japanese": "Japan",
    "kenyan": "Kenya", "nigerian": "Nigeria", "brazilian": "Brazil", "mexican": "Mexico",
    "swiss": "Switzerland", "swedish": "Sweden", "norwegian": "Norway", "danish": "Denmark",
    "finnish": "Finland", "ugandan": "Uganda", "ghanaian": "Ghana", "south african": "South Africa",
    "new york": "United States", "california": "United States", "toronto": "Canada",
    "london": "United Kingdom", "paris": "France", "australia's": "Australia",
}
# Short all-caps forms only match in capitals ("US", "UK"), never the words "us"/"uk".
_CASED = {"US": "United States", "UK": "United Kingdom", "USA": "United States"}


@functools.lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern, dict[str, str]]:
    table = {k: v for k, v in COUNTRIES.items() if k not in ("uk", "usa", "prc")}
    table.update(_EXTRA)
    forms = sorted(table, key=len, reverse=True)
    pat = re.compile(r"(?<![\w.])(" + "|".join(re.escape(f) for f in forms) + r")(?![\w])", re.I)
    return pat, table


_CASED_RE = re.compile(r"\b(" + "|".join(_CASED) + r")\b")


def find_countries(text: str) -> list[str]:
    """English country names mentioned in ``text``, in order of first mention, without repeats."""
    pat, table = _pattern()
    found: list[tuple[int, str]] = []
    for m in pat.finditer(text):
        found.append((m.start(), table[m.group(1).lower()]))
    for m in _CASED_RE.finditer(text):
        found.append((m.start(), _CASED[m.group(1)]))
    out: list[str] = []
    for _, name in sorted(found):
        if name not in out:
            out.append(name)
    return out


def country_of(place: str) -> str | None:
    """The country a place name (a GPE from NER) stands for, if the gazetteer knows it."""
    hit = find_countries(place)
    return hit[0] if hit else None
