"""A tiny, fast language guesser for the languages lists of practice networks use.

Counts frequent function words; good enough to tag a message ``en``/``fr``/``es``/... so the
stages can pick rules, and cheap enough to run on every message at ingest (no model).
Returns None when the text is too short or nothing stands out.
"""
from __future__ import annotations

import re

_WORDS = {
    "en": "the and of to is in that for with this we are have you not be on it our was".split(),
    "fr": "le la les des et est une pour dans que qui nous avec sur pas du au vous sont".split(),
    "es": "el la los las de y que en para con una por del se es nos su como más al".split(),
    "pt": "o a os as de e que em para com uma não do da por se é mais nos são".split(),
    "de": "der die das und ist nicht mit ein eine zu den von für wir auf sich dem ich".split(),
    "it": "il la di e che per non una con sono del della gli le anche più come nel".split(),
    "nl": "de het een en van is dat niet op te voor met zijn wij ook om als bij".split(),
}
_INDEX: dict[str, list[str]] = {}
for _lang, _ws in _WORDS.items():
    for _w in _ws:
        _INDEX.setdefault(_w, []).append(_lang)
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
_ASCII_TOKEN = re.compile(r"[a-z]+")  # the same tokens in lower-cased ASCII text, found faster


def guess_language(text: str, *, min_hits: int = 3) -> str | None:
    low = text[:4000].lower()
    tokens = (_ASCII_TOKEN if low.isascii() else _TOKEN).findall(low)
    scores: dict[str, int] = {}
    index = _INDEX
    # the function words are found by a C-level filter; the loop sees only those
    for tok in filter(index.__contains__, tokens):
        for lang in index[tok]:
            scores[lang] = scores.get(lang, 0) + 1
    if not scores:
        return None
    best = max(scores, key=scores.__getitem__)
    if scores[best] < min_hits:
        return None
    return best
