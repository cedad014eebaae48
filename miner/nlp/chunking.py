"""Cutting a message's new text into chunks a sentence embedder can take whole.

Paragraphs are merged up to about 80 % of the model's ``max_seq_length`` tokens (estimated: words
and punctuation plus a quarter for split words, no tokenizer needed); a paragraph too long is cut
at sentence ends, else between words. The cleaned subject is prepended to the first chunk.
"""
from __future__ import annotations

import itertools
import re

MAX_CHUNKS = 16  # a message longer than this many chunks (log dumps) keeps its first ones

_SUBJECT_NOISE = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|sv|tr|antw)\s*(?:\[\d+\])?\s*:\s*|\[[^\]]{1,40}\]\s*)+",
                            re.IGNORECASE)
_TOKENS = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_PARA_BREAK = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")


def clean_subject(subject: str) -> str:
    """The subject without ``Re:``/``Fwd:`` prefixes and ``[list]`` tags."""
    return _SUBJECT_NOISE.sub("", subject or "").strip()


def approx_tokens(text: str) -> int:
    """Rough wordpiece count (words and punctuation, plus a quarter for split words)."""
    return _approx(_count(text))


# ASCII text is counted with bytes.translate (C loops, ~3.5x faster than the regex): tokens are
# the runs of word characters plus each other non-space character, as ``_TOKENS`` finds them.
_ASCII_SPACE = bytes(c for c in range(128) if chr(c).isspace())  # what ``\s`` matches in str
_ASCII_WORD = bytes(c for c in range(128) if chr(c).isalnum() or chr(c) == "_")
_ASCII_OTHER = bytes(c for c in range(128) if c not in _ASCII_SPACE and c not in _ASCII_WORD)
_TO_BLANK = bytes.maketrans(_ASCII_OTHER + _ASCII_SPACE, b" " * (128 - len(_ASCII_WORD)))


def _count(text: str) -> int:
    """``len(_TOKENS.findall(text))``, computed faster."""
    if text.isascii():
        b = text.encode("ascii")
        # bytes.split() splits on ASCII whitespace only, so every \s was mapped to a space
        return len(b) - len(b.translate(None, _ASCII_OTHER)) + len(b.translate(_TO_BLANK).split())
    return _TOKENS.subn("", text)[1]  # without building a list of strings


def _surely_over(text: str, budget: int) -> bool:
    """True when ``text`` is certainly over ``budget`` estimated tokens, from a lower bound of
    its count (each whitespace-separated word holds one token or more). Only tried on texts long
    enough to be over (~4 characters a token is short for prose): a split is about 6x cheaper
    than counting, so a long text skips a counting pass that could only say no."""
    return len(text) > 4 * budget and _approx(len(text.split())) > budget


def _approx(n: int) -> int:
    return int(n * 1.25) + 1


def _pieces(text: str, start: int, end: int, budget: int) -> list[tuple[int, int, int]]:
    """``(start, end, raw token count)`` pieces of ``text[start:end]`` under ``budget``, cut at
    sentence ends (else at spaces). Counts are summed, never recounted: pieces meet at
    whitespace, so the count of a join is the sum of the counts (linear in the text)."""
    if not _surely_over(text[start:end], budget):
        whole = _count(text[start:end])
        if _approx(whole) <= budget:  # the usual case: the paragraph fits
            return [(start, end, whole)]
    cuts = [start] + [m.end() for m in _SENTENCE_END.finditer(text, start, end)] + [end]
    pieces: list[tuple[int, int, int]] = []
    s, n_s = start, 0
    for a, b in itertools.pairwise(cuts):
        c = _count(text[a:b]) if b > a else 0
        if _approx(n_s + c) > budget and a > s:
            pieces.append((s, a, n_s))
            s, n_s = a, c
        else:
            n_s += c
    pieces.append((s, end, n_s))
    out = []
    for a, b, n in pieces:  # a single sentence still too long: cut by words
        if _approx(n) <= budget:
            out.append((a, b, n))
            continue
        words = [m.start() + a for m in re.finditer(r"\S+", text[a:b])]
        step = max(1, int(budget / 1.4))
        for i in range(0, len(words), step):
            e = words[i + step] if i + step < len(words) else b
            out.append((words[i], e, _count(text[words[i]:e])))
    return out


def _split_long(text: str, start: int, end: int, budget: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` at sentence ends (else at spaces) into pieces under ``budget``."""
    return [(a, b) for a, b, _ in _pieces(text, start, end, budget)]


def chunk_message(subject: str, text: str, max_tokens: int = 256) -> list[tuple[int, int, str]]:
    """``(start, end, text_to_embed)`` per chunk of a message's new text.

    Paragraphs are merged greedily up to ~80 % of ``max_tokens`` (the token count is estimated);
    the cleaned subject is prepended to the first chunk. A message with no new text gives one
    chunk of its subject alone, and none when both are empty."""
    subj = clean_subject(subject)
    budget = max(16, int(max_tokens * 0.8))
    first_budget = budget - approx_tokens(subj) if subj else budget
    # Each paragraph is counted once (a long one by sentences instead); the counts add up, as
    # pieces meet at whitespace, so the whole text is never counted again to see if it fits.
    spans: list[tuple[int, int, int]] = []
    pos = 0
    for m in itertools.chain(_PARA_BREAK.finditer(text), (None,)):
        a, b = pos, (m.start() if m else len(text))
        pos = m.end() if m else pos
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            spans.extend(_pieces(text, a, b, budget))
    if spans and _approx(sum(n for _, _, n in spans)) <= first_budget:  # the usual case
        a, b = spans[0][0], spans[-1][1]
        return [(a, b, f"{subj}\n\n{text[a:b]}" if subj else text[a:b])]
    chunks: list[tuple[int, int]] = []
    cur: tuple[int, int, int] | None = None
    for a, b, n in spans:
        if cur is None:
            cur = (a, b, n)
            continue
        limit = first_budget if not chunks else budget
        if _approx(cur[2] + n) <= limit:
            cur = (cur[0], b, cur[2] + n)
        else:
            chunks.append(cur[:2])
            cur = (a, b, n)
        if len(chunks) >= MAX_CHUNKS:
            break
    if cur is not None:
        chunks.append(cur[:2])
    chunks = chunks[:MAX_CHUNKS]
    out = [(a, b, text[a:b]) for a, b in chunks]
    if out:
        a, b, t = out[0]
        out[0] = (a, b, f"{subj}\n\n{t}" if subj else t)
    elif subj:
        out = [(0, 0, subj)]
    return out
