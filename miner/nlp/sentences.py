"""The one sentence splitter of miner: rule-based, offset-keeping, fast (no model).

Paragraphs (blank-line separated) and list items (``-``, ``*``, ``•``, ``1.``, ``2)``) are
units; inside a unit the wrapped lines are joined and split at sentence ends (``.``, ``!``,
``?`` before a capital, digit or opening quote, in English, French and Spanish), not after
common abbreviations. Every span keeps its offsets into the text, so ``text[start:end]`` is the
sentence verbatim. With ``short_lines`` a short line (under 45 characters: a greeting, a
signature line) or a line ending in a URL is a unit of its own too (the practices stage wants
that; the consolidated reply does not).

Used by the practices stage (:mod:`miner.stages.practice_rules`) and the consolidated reply
(:mod:`miner.stages.summary.themes`). spaCy's statistical ``senter`` was not used: on wrapped
mailing-list prose it splits at line wraps, and it is some 30 times slower than this.

    >>> [s for _, _, s in split_sentences("We tried it. It worked well!\\n- one item\\n- two")]
    ['We tried it.', 'It worked well!', '- one item', '- two']
"""
from __future__ import annotations

import re

_PARA = re.compile(r"\n[ \t]*\n")
_SENT_END = re.compile(
    r"(?<=[.!?])[\"')\]\u201d]*\s+(?=[\"'(\[\u201c\u00bf\u00a1]?[A-Z0-9\u00c0-\u00de])")
_ABBREV = re.compile(r"\b(?:e\.g|i\.e|etc|vs|cf|al|Dr|Mr|Mrs|Ms|Prof|approx|Fig|No|St|Jr|Sr)\.$",
                     re.IGNORECASE)
_BULLET = re.compile(r"\s*(?:[-*\u2022]|\d+[.)])\s+")
_URL_END = re.compile(r"(?:https?://|www\.)\S+\s*$", re.IGNORECASE)
SHORT_LINE = 45


def _units(text: str, a: int, b: int, short_lines: bool) -> list[tuple[int, int]]:
    """The units of paragraph ``text[a:b]``: a new unit starts at each list item (and, with
    ``short_lines``, after each short line or line ending in a URL)."""
    units: list[tuple[int, int]] = []
    cur = a
    line_start = a
    lines = text[a:b].split("\n")
    for i, line in enumerate(lines):
        line_end = line_start + len(line)
        if i + 1 < len(lines):
            nxt = lines[i + 1]
            if _BULLET.match(nxt) or short_lines and (
                    len(line.strip()) < SHORT_LINE or _URL_END.search(line)):
                units.append((cur, line_end))
                cur = line_end + 1
        line_start = line_end + 1
    units.append((cur, b))
    return units


def split_spans(text: str, *, short_lines: bool = False) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, whitespace trimmed, in order."""
    paras: list[tuple[int, int]] = []
    pos = 0
    for m in _PARA.finditer(text):
        paras.append((pos, m.start()))
        pos = m.end()
    paras.append((pos, len(text)))
    out: list[tuple[int, int]] = []
    for pa, pb in paras:
        for a, b in _units(text, pa, pb, short_lines):
            unit = text[a:b]
            s0 = 0
            for m in _SENT_END.finditer(unit):
                if _ABBREV.search(unit[s0:m.start()].rstrip("\"')]\u201d")):
                    continue
                out.append((a + s0, a + m.start()))
                s0 = m.end()
            out.append((a + s0, b))
    res = []
    for a, b in out:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            res.append((a, b))
    return res


def split_sentences(text: str, *, short_lines: bool = False) -> list[tuple[int, int, str]]:
    """``(start, end, sentence)`` of each sentence; ``text[start:end] == sentence``."""
    return [(a, b, text[a:b]) for a, b in split_spans(text, short_lines=short_lines)]


__all__ = ["split_sentences", "split_spans"]
