"""Code and log pastes: fenced and indented code, R/Python prompts, tracebacks, stack traces, logs.

Runs before quote detection so that an R prompt ("> x <- 1") or a Python prompt
(">>> import os") is not taken for a quote.
"""
from __future__ import annotations

import re
from itertools import repeat

FENCE = re.compile(r"^\s*(```|~~~)")
TRACEBACK = re.compile(r"^\s*Traceback \(most recent call last\):")
PY_FRAME = re.compile(r'^\s+File "[^"]+", line \d+')
EXC_LINE = re.compile(r"^\s*(?:[\w.]+(?:Error|Exception|Warning|Exit|Interrupt)|Error in |Error:|Warning message)")
JAVA_FRAME = re.compile(r"^\s+at [\w$.<>]+\(.*\)\s*$|^\s+\.\.\. \d+ more\s*$|^Caused by: ")
LOG_LINE = re.compile(
    r"^\s*\[?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?|^\s*\[?\d{2}:\d{2}:\d{2}[.,\]]"
    r"|^\s*(?:\[(?:INFO|DEBUG|WARN|WARNING|ERROR|FATAL|TRACE)\]|(?:INFO|DEBUG|WARN|ERROR|FATAL):)"
)
R_CODE = re.compile(
    r"^(?:>|\+) ?(?:[\w.$\[\]\"']+\s*(?:<-|=|<<-)|(?:library|require|install\.packages|source|setwd|summary|head"
    r"|str|plot|print|data\.frame|lm|glm|c|sum|mean|for|if|function|rnorm|set\.seed|with|subset|names"
    r"|table|cat|paste|ggplot)\s*\(|[\w.]+\([^()]*\)\s*$|\}|#)"
)
PY_PROMPT = re.compile(r"^(?:>>>|\.\.\.) (?:import |from \w|print|[\w.\[\]]+\s*=|[\w.]+\(|for |if |def |class |return )")
R_OUTPUT = re.compile(r"^\s*\[\d+\] |^\s*\+ ")
CODE_CHARS = re.compile(r"[{};=]|\w\(|^\s*(?:def|class|import|from|return|if|for|while|var|let|const|function|public|private|#include|SELECT|INSERT)\b")


_FIRST = frozenset("`~TCa[0123456789>+.IDWEFt")  # first characters of a block's first line
_LOG_WORDS = ("INFO:", "DEBUG:", "WARN:", "ERROR:", "FATAL:")  # LOG_LINE's forms starting with a letter


def _set(kinds, a, b, kind):
    for i in range(a, b):
        if kinds[i] is None:
            kinds[i] = kind


def _block_end(lines: list[str], kinds: list, stripped: list[str], i: int, hi: int) -> int:
    """End (exclusive) of the lines from i on that are non-blank and have no kind yet, before hi.

    The first blank line is found by list.index (C); the kinds are checked in one count:
    quoted replies in r-sig-meta-analysis run to dozens of lines, walked one by one before."""
    try:
        j = stripped.index("", i, hi)
    except ValueError:
        j = hi
    if kinds[i:j].count(None) != j - i:
        j = next(k for k in range(i, j) if kinds[k] is not None)
    return j


def _code_bound(block: str) -> int:
    """At least the number of lines of a prompt block that can count as code: an R line
    holds one of = ( <- } # and a Python one starts ">>> " or "... " (R_CODE, PY_PROMPT)."""
    return (block.count("=") + block.count("(") + block.count("}") + block.count("#")
            + block.count("<-") + block.count(">>>") + block.count("... "))


def mark_code_and_logs(lines: list[str], kinds: list, lo: int, hi: int,
                       stripped: list[str] | None = None) -> None:
    """Give ``code`` / ``log`` kinds to pasted code and logs among lines [lo, hi).

    ``stripped``: the lines stripped, if the caller has them."""
    if stripped is None:
        stripped = [ln.strip() for ln in lines]
    # Only lines starting (after blanks) with one of _FIRST, or indented, can start a
    # block; one comprehension lists them, and the loop below visits those alone (blocks
    # it marks are jumped). A loop over every line was a fifth of segment() on
    # r-sig-meta-analysis.
    starts = [k for k in range(lo, hi)
              if (t := stripped[k]) and (t[0] in _FIRST or lines[k][0] in " \t")]
    i = lo
    for k in starts:
        if k < i:
            continue  # inside a block marked or passed over already
        i = k
        if kinds[i] is not None:
            i += 1
            continue
        s = lines[i]
        st = s.lstrip()
        c0 = st[0]
        indented = s[0] in " \t"
        if c0 in "`~" and FENCE.match(s):
            j = i + 1
            while j < hi and not FENCE.match(lines[j]):
                j += 1
            if j < hi:
                _set(kinds, i, j + 1, "code")
                i = j + 1
                continue
        # the literal starts of TRACEBACK, JAVA_FRAME and LOG_LINE's word forms are tested
        # before their regexes: prose lines starting "The", "I", "We", "Could"... stop there
        if c0 == "T" and st.startswith("Traceback") and TRACEBACK.match(s):
            j = i + 1
            while j < hi and (lines[j].startswith((" ", "\t")) or not stripped[j]):
                j += 1
            if j < hi and EXC_LINE.match(lines[j]):
                j += 1
            _set(kinds, i, j, "log")
            i = j
            continue
        if ((indented and st[:3] in ("at ", "...")) or s.startswith("Caused by: ")) and JAVA_FRAME.match(s):
            a = i - 1 if i > lo and EXC_LINE.match(lines[i - 1]) or (i > lo and "Exception" in lines[i - 1]) else i
            j = i
            while j < hi and (JAVA_FRAME.match(lines[j]) or EXC_LINE.match(lines[j])):
                j += 1
            if j - i >= 2:
                _set(kinds, max(lo, a), j, "log")
                i = j
                continue
        if (c0 in "[0123456789" or (c0 in "IDWEF" and st.startswith(_LOG_WORDS))) and LOG_LINE.match(s):
            j = i
            while j < hi and (LOG_LINE.match(lines[j]) or (j > i and lines[j].startswith((" ", "\t")) and stripped[j])):
                j += 1
            if j - i >= 2:
                _set(kinds, i, j, "log")
                i = j
                continue
        if s.startswith((">", "+", ">>>")):
            # prompt block: R ("> x <- 1", "+ ...", "[1] 2") or Python (">>> ", "... ")
            j = _block_end(lines, kinds, stripped, i, hi)
            block = lines[i:j]
            # at least half its prompt lines must count as code: a quoted reply (dozens of
            # "> " lines, few with a code character) is ruled out by counts done in C
            prompts = sum(map(str.startswith, block, repeat((">", "+", "... "))))
            if 2 * _code_bound("\n".join(block)) < prompts or not prompts:
                i = max(j, i + 1)
                continue
            code = prompts = 0
            for t in block:
                if t.startswith((">>>", "... ")):
                    prompts += 1
                    code += bool(PY_PROMPT.match(t))
                elif t.startswith((">", "+")):
                    prompts += 1
                    # R_CODE needs one of these characters: most quoted prose has none
                    code += bool(("=" in t or "(" in t or "<-" in t or "}" in t or "#" in t)
                                 and R_CODE.match(t))
            if prompts and code * 2 >= prompts and code >= 1 and not any(lines[k].startswith(">>") and not lines[k].startswith(">>>") for k in range(i, j)):
                _set(kinds, i, j, "code")
            i = max(j, i + 1)
            continue
        if s.startswith(("    ", "\t")) and stripped[i]:
            j = i
            codeish = 0
            while j < hi and (lines[j].startswith(("    ", "\t")) or (not stripped[j] and j + 1 < hi and lines[j + 1].startswith(("    ", "\t")))):
                codeish += bool(CODE_CHARS.search(lines[j]))
                j += 1
            nonblank = sum(1 for k in range(i, j) if stripped[k])
            if nonblank >= 2 and codeish * 2 >= nonblank and codeish >= 1:
                _set(kinds, i, j, "code")
                i = j
                continue
            i = j
            continue
        i += 1
