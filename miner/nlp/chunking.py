"""Cutting a message's new text into chunks a sentence embedder can take whole.

Paragraphs are merged up to about 80 % of the model's ``max_seq_length`` tokens (estimated: words
and punctuation plus a quarter for split words, no tokenizer needed); a paragraph too long is cut
at sentence ends, else between words. The cleaned subject is prepended to the first chunk.
"""
from __future__ import annotations

import codecs
import functools
import itertools
import re

MAX_CHUNKS = 16  # a message longer than this many chunks (log dumps) keeps its first ones

_SUBJECT_NOISE = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|sv|tr|antw)\s*(?:\[\d+\])?\s*:\s*|\[[^\]]{1,40}\]\s*)+",
                            re.IGNORECASE)
_TOKENS = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_PARA_BREAK = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")
_WORD_START = re.compile(r"\S+")


def clean_subject(subject: str) -> str:
    """The subject without ``Re:``/``Fwd:`` prefixes and ``[list]`` tags."""
    return _SUBJECT_NOISE.sub("", subject or "").strip()


def approx_tokens(text: str) -> int:
    """Rough wordpiece count (words and punctuation, plus a quarter for split words)."""
    return _approx(_count(text))


# Token counting without the regex (3 to 5x faster): every character is mapped to its class,
# "a" for a word character (``\w`` is str.isalnum() or "_"), " " for ``\s`` (str.isspace()),
# "." for the rest; the tokens ``_TOKENS`` finds are then the "."s plus the runs of "a"s, counted
# with bytes.count (a run starts at " a" once "." is read as a space). Latin-1 characters go through bytes.translate (C loops); the rarer ones
# beyond (curly quotes, dashes, Greek, CJK) are classed by an encode error handler that sees
# only them, with a memo per code point. The class string is as long as the text (one byte a
# character), so a message is classed once and any span of it counted with
# bytes.count(sub, start, end).


def _class_of(c: str) -> str:
    return "a" if c.isalnum() or c == "_" else " " if c.isspace() else "."


_CLASS = bytes.maketrans(bytes(range(256)),
                         "".join(_class_of(chr(i)) for i in range(256)).encode("ascii"))


class _Classes(dict):
    """Code point -> its class letter, filled on first sight (for str.translate); at most
    ``_MEMO`` code points are kept (a text of every script stays bounded)."""

    def __missing__(self, cp: int) -> str:
        v = _class_of(chr(cp))
        if len(self) < _MEMO:
            self[cp] = v
        return v


_MEMO = 1 << 16


_WIDE_CLASSES = _Classes()
_ERRORS = "miner.chunking.token-class"  # a namespaced codec error handler, registered once


def _class_wide(e: UnicodeError) -> tuple[str, int]:
    if not isinstance(e, UnicodeEncodeError):
        raise e
    # the class letters are Latin-1 and map to themselves in _CLASS
    return e.object[e.start:e.end].translate(_WIDE_CLASSES), e.end


codecs.register_error(_ERRORS, _class_wide)


_DOT_TO_SPACE = bytes.maketrans(b".", b" ")
Classes = tuple[bytes, bytes]


def _classes(text: str) -> Classes:
    """One class byte per character of ``text`` (``a``, space or ``.``), and the same with
    ``.`` as a space (where a word's start is one ``" a"``, counted in a single pass)."""
    cls = text.encode("latin-1", _ERRORS).translate(_CLASS)
    return cls, cls.translate(_DOT_TO_SPACE)


def _span_count(c: Classes, a: int, b: int) -> int:
    """``len(_TOKENS.findall(text[a:b]))`` from ``c = _classes(text)``."""
    if a >= b:
        return 0
    cls, words = c
    return cls.count(b".", a, b) + words.count(b" a", a, b) + (cls[a] == 97)  # 97: "a"


def _count(text: str) -> int:
    """``len(_TOKENS.findall(text))``, computed faster (see above)."""
    return _span_count(_classes(text), 0, len(text))


def _approx(n: int) -> int:
    return int(n * 1.25) + 1


def _pieces(text: str, cls: Classes, start: int, end: int, budget: int
            ) -> list[tuple[int, int, int]]:
    """``(start, end, raw token count)`` pieces of ``text[start:end]`` under ``budget``, cut at
    sentence ends (else at spaces); ``cls`` is ``_classes(text)``. Pieces meet at whitespace,
    so the count of a join is the sum of the counts."""
    whole = _span_count(cls, start, end)
    if _approx(whole) <= budget:  # the usual case: the paragraph fits
        return [(start, end, whole)]
    cuts = [start] + [m.end() for m in _SENTENCE_END.finditer(text, start, end)] + [end]
    pieces: list[tuple[int, int, int]] = []
    s, n_s = start, 0
    for a, b in itertools.pairwise(cuts):
        c = _span_count(cls, a, b)
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
        words = [m.start() for m in _WORD_START.finditer(text, a, b)]
        step = max(1, int(budget / 1.4))
        for i in range(0, len(words), step):
            e = words[i + step] if i + step < len(words) else b
            out.append((words[i], e, _span_count(cls, words[i], e)))
    return out


@functools.lru_cache(maxsize=4096)
def _subject(subject: str) -> tuple[str, int]:
    """The cleaned subject and its estimated tokens (memoised: a thread's replies share it)."""
    subj = clean_subject(subject)
    return subj, approx_tokens(subj) if subj else 0


def chunk_message(subject: str, text: str, max_tokens: int = 256) -> list[tuple[int, int, str]]:
    """``(start, end, text_to_embed)`` per chunk of a message's new text.

    Paragraphs are merged greedily up to ~80 % of ``max_tokens`` (the token count is estimated);
    the cleaned subject is prepended to the first chunk. A message with no new text gives one
    chunk of its subject alone, and none when both are empty."""
    subj, subj_tokens = _subject(subject) if subject else ("", 0)
    budget = max(16, int(max_tokens * 0.8))
    first_budget = budget - subj_tokens if subj else budget
    # The usual case first: the whole text fits in one chunk. Token counts add up over pieces
    # that meet at whitespace (no token spans whitespace), so one count of the stripped text is
    # the sum the paragraph-by-paragraph path below would reach, for a fraction of its cost
    # (one C-level pass instead of a regex scan, slices and a count per paragraph).
    a, b = len(text) - len(text.lstrip()), len(text.rstrip())
    if a >= b:
        return [(0, 0, subj)] if subj else []
    cls = _classes(text)
    if _approx(_span_count(cls, a, b)) <= first_budget:
        return [(a, b, f"{subj}\n\n{text[a:b]}" if subj else text[a:b])]
    return _chunk_paragraphs(subj, text, cls, budget, first_budget)


def chunk_text(subject: str, text: str, chunk: int, start: int, end: int) -> str:
    """The text :func:`chunk_message` embedded for chunk number ``chunk`` spanning
    ``text[start:end]`` (the cleaned subject before chunk 0; the subject alone when the span is
    empty), rebuilt from a stored chunk row, so that a model whose vectors are not cached can
    encode the same texts again."""
    subj = _subject(subject)[0] if subject and chunk == 0 else ""
    if start >= end:
        return subj
    return f"{subj}\n\n{text[start:end]}" if subj else text[start:end]


def _chunk_paragraphs(subj: str, text: str, cls: Classes, budget: int, first_budget: int
                      ) -> list[tuple[int, int, str]]:
    """:func:`chunk_message` for a text that may not fit in one chunk: paragraphs (each counted
    once, a long one by sentences) merged greedily up to the budgets."""
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
            spans.extend(_pieces(text, cls, a, b, budget))
    if spans and _approx(sum(n for _, _, n in spans)) <= first_budget:  # (fits: taken earlier)
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
