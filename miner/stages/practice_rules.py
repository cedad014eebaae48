"""Sentence splitting and the rule layer of the practices stage.

The rules are weak signals: regular-expression patterns (compiled once) per kind, in the
spirit of spaCy's Matcher but with no model needed, so they run in unit tests and give the
rules-only baseline. :func:`rule_features` turns their hits into a feature vector for the
classifier in :mod:`miner.stages.practices`.

    >>> [s for _, _, s in split_sentences("We tried it. It worked well!\\nSee http://x.org")]
    ['We tried it.', 'It worked well!', 'See http://x.org']
"""
from __future__ import annotations

import re

import numpy as np

from miner.nlp.sentences import split_sentences as _split

# The kinds of a practice mention, per issue 6. "none" is the label of everything else.
KINDS = ("good_practice", "lesson", "recommendation", "experience", "challenge", "resource")
LABELS = KINDS + ("none",)

_URL = re.compile(r"https?://\S+|www\.\S+", re.I)
_WS = re.compile(r"\s+")
MIN_CHARS = 12
MAX_CHARS = 600


def split_sentences(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, sentence)`` spans of ``text``; ``text[start:end] == sentence``.

    The shared splitter (:mod:`miner.nlp.sentences`) with short lines and lines ending in a URL
    kept as units of their own (greetings, signature lines and links are not joined to prose).
    """
    return _split(text, short_lines=True)


def usable(sentence: str) -> bool:
    """Worth classifying: has words, is not code-like, not too short or long."""
    s = sentence.strip()
    if not (MIN_CHARS <= len(s) <= MAX_CHARS):
        return False
    letters = sum(map(str.isalpha, s))
    if letters < 0.55 * len(s.replace(" ", "")) and not _URL.search(s):
        return False
    return len(s.split()) >= 3 or bool(_URL.search(s))


def flat(sentence: str) -> str:
    """The sentence on one line (for models and comparisons; the stored text stays verbatim)."""
    return _WS.sub(" ", sentence).strip()


# --------------------------------------------------------------------------- patterns

_P = {
    "good_practice": [
        r"\bbest practices?\b", r"\bgood practices?\b", r"\bgood (?:idea|habit|approach) (?:is|to)\b",
        r"\bworks? (?:very |really )?well\b", r"\b(?:always|routinely|generally) (?:use|do|check|"
        r"report|start|ask|make|have)\b", r"\bwhat (?:I|we) (?:usually|typically|always) do\b",
        r"\b(?:I|we) (?:usually|typically|always|generally|tend to)\b", r"\bit is (?:good|best) to\b",
        r"\bthe (?:standard|usual|recommended) (?:way|approach|practice)\b", r"\bkey is to\b",
    ],
    "lesson": [
        r"\blessons? learn(?:ed|t)\b", r"\b(?:I|we) (?:have )?learn(?:ed|t)\b", r"\bin hindsight\b",
        r"\blooking back\b", r"\bnext time\b", r"\bthe lesson\b", r"\b(?:I|we) (?:have )?realized\b",
        r"\b(?:I|we) (?:have )?(?:found|discovered) (?:out )?that\b", r"\bturn(?:s|ed) out\b",
        r"\bthe (?:moral|takeaway)\b", r"\bwould have been better\b", r"\bmistake\b",
    ],
    "recommendation": [
        r"\b(?:I|we) (?:would )?(?:strongly )?(?:recommend|suggest|advise)\b", r"\byou (?:should|"
        r"might|may|could|can) (?:want to |try|use|consider|check|look)\b", r"\btry (?:using|to)\b",
        r"\bconsider (?:using|\w+ing)\b", r"\bI'?d (?:suggest|recommend|go with|use)\b",
        r"\bmy (?:advice|suggestion|recommendation)\b", r"\bit would be (?:better|best|wise)\b",
        r"\bmake sure\b", r"\bdon'?t (?:use|forget|do)\b", r"\bavoid\b", r"\bbetter to\b",
        r"\bshould (?:use|be|not|probably)\b", r"^\s*(?:use|try|set|check|add|see|please)\b",
    ],
    "experience": [
        r"\bin my (?:experience|class|course|teaching)\b", r"\b(?:I|we) (?:have )?(?:taught|"
        r"used|tried|ran|run|did|had|introduced|switched|been using)\b", r"\bmy students\b",
        r"\bour students\b", r"\bsuccess(?:ful(?:ly)?)?\b", r"\b(?:it|this) worked\b",
        r"\blast (?:year|semester|term|week)\b", r"\bfor (?:several|many|a few) years\b",
        r"\bstudents (?:seemed|liked|loved|found|were)\b", r"\b(?:I|we) (?:have )?found\b",
    ],
    "challenge": [
        r"\b(?:problem|issue|difficult(?:y|ies)?|challeng\w+|struggl\w+|hard to|trouble)\b",
        r"\b(?:fail(?:s|ed|ure)?|crash(?:es|ed)?|error|broken|doesn'?t work|does not work|"
        r"didn'?t work|not working|hangs?|stuck)\b", r"\bunfortunately\b", r"\bcan(?:no|')t\b",
        r"\bconfus\w+\b", r"\bfrustrat\w+\b", r"\bdid not\b", r"\bunable\b",
    ],
    "resource": [
        r"https?://\S+|www\.\S+", r"\b(?:package|book|paper|article|tutorial|vignette|chapter|"
        r"website|handbook|manual|slides|course|textbook|document(?:ation)?|guide|library)\b",
        r"\b(?:see|check out|have a look at|look at|take a look at|refer to)\b",
        r"\b[A-Z][a-z]+ (?:et al\.?|and [A-Z][a-z]+) \(?\d{4}\)?", r"\bavailable (?:at|from|on)\b",
        r"\bdoi\b|\bISBN\b", r"\b(?:R )?package\b|\blibrary\(\w+\)|\bCRAN\b|\bgithub\b",
    ],
}
PATTERNS: dict[str, list[re.Pattern]] = {k: [re.compile(p, re.I | re.M) for p in v]
                                         for k, v in _P.items()}
_QUESTION = re.compile(r"\?\s*$")
_FIRST_PERSON = re.compile(r"\b(?:I|we|my|our)\b", re.I)
_IMPERATIVE = re.compile(r"^\s*(?:please\s+)?(?:use|try|set|check|add|see|avoid|make|run|"
                         r"install|read|look)\b", re.I)
_PAST = re.compile(r"\b\w+ed\b")

# Order of precedence when several kinds fire in the rules-only baseline.
_PRECEDENCE = ("lesson", "good_practice", "resource", "recommendation", "experience", "challenge")
# A kind fires in the baseline only with at least this many hits (weak patterns need two).
_MIN_HITS = {"challenge": 1, "resource": 1, "recommendation": 1, "experience": 1,
             "lesson": 1, "good_practice": 1}


def rule_hits(sentence: str) -> dict[str, int]:
    """How many patterns of each kind match ``sentence``."""
    s = flat(sentence)
    return {k: sum(1 for p in PATTERNS[k] if p.search(s)) for k in KINDS}


_ALL = [(k, p) for k in KINDS for p in PATTERNS[k]]
N_RULE_FEATURES = len(KINDS) + 6 + len(_ALL) + len(LABELS)


def rule_features(sentence: str) -> np.ndarray:
    """Rule hits per kind plus a few shape features (question, first person, imperative, URL,
    past tense, length), as float32."""
    s = flat(sentence)
    hits = rule_hits(s)
    v = [min(hits[k], 3) / 3.0 for k in KINDS]
    v += [
        1.0 if _QUESTION.search(s) else 0.0,
        1.0 if _FIRST_PERSON.search(s) else 0.0,
        1.0 if _IMPERATIVE.search(s) else 0.0,
        1.0 if _URL.search(s) else 0.0,
        min(len(_PAST.findall(s)), 3) / 3.0,
        min(len(s.split()), 60) / 60.0,
    ]
    v += [1.0 if p.search(s) else 0.0 for _, p in _ALL]
    base = rule_label(s)
    v += [1.0 if base == k else 0.0 for k in LABELS]
    return np.asarray(v, dtype=np.float32)


# One alternation per kind: "does any pattern of this kind fire" is one search, not a dozen
# (rule_label runs on every sentence of the corpus; the per-pattern counts are only needed for
# the classifier's features).
_ANY = {k: re.compile("|".join(f"(?:{p})" for p in _P[k]), re.I | re.M) for k in KINDS}


def rule_label(sentence: str) -> str:
    """The rules-only baseline: the first kind (by precedence) whose patterns fire, else none.
    Questions are never mentions."""
    s = flat(sentence)
    if _QUESTION.search(s):
        return "none"
    for k in _PRECEDENCE:
        if _MIN_HITS[k] == 1:
            if _ANY[k].search(s):
                return k
        elif sum(1 for p in PATTERNS[k] if p.search(s)) >= _MIN_HITS[k]:
            return k
    return "none"
