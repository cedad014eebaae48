"""Code and log pastes: fenced and indented code, R/Python prompts, tracebacks, stack traces, logs.

Runs before quote detection so that an R prompt ("> x <- 1") or a Python prompt
(">>> import os") is not taken for a quote.
"""
from __future__ import annotations

import re

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


def _set(kinds, a, b, kind):
    for i in range(a, b):
        if kinds[i] is None:
            kinds[i] = kind


def mark_code_and_logs(lines: list[str], kinds: list, lo: int, hi: int) -> None:
    """Give ``code`` / ``log`` kinds to pasted code and logs among lines [lo, hi)."""
    i = lo
    while i < hi:
        if kinds[i] is not None:
            i += 1
            continue
        s = lines[i]
        st = s.lstrip()
        if not st:
            i += 1
            continue
        c0 = st[0]
        indented = s[0] in " \t"
        if c0 not in "`~TCa[0123456789>+.IDWEFt" and not indented:
            i += 1
            continue
        if c0 in "`~" and FENCE.match(s):
            j = i + 1
            while j < hi and not FENCE.match(lines[j]):
                j += 1
            if j < hi:
                _set(kinds, i, j + 1, "code")
                i = j + 1
                continue
        if c0 == "T" and TRACEBACK.match(s):
            j = i + 1
            while j < hi and (lines[j].startswith((" ", "\t")) or not lines[j].strip()):
                j += 1
            if j < hi and EXC_LINE.match(lines[j]):
                j += 1
            _set(kinds, i, j, "log")
            i = j
            continue
        if (indented or c0 == "C") and JAVA_FRAME.match(s):
            a = i - 1 if i > lo and EXC_LINE.match(lines[i - 1]) or (i > lo and "Exception" in lines[i - 1]) else i
            j = i
            while j < hi and (JAVA_FRAME.match(lines[j]) or EXC_LINE.match(lines[j])):
                j += 1
            if j - i >= 2:
                _set(kinds, max(lo, a), j, "log")
                i = j
                continue
        if c0 in "[0123456789IDWEFT" and LOG_LINE.match(s):
            j = i
            while j < hi and (LOG_LINE.match(lines[j]) or (j > i and lines[j].startswith((" ", "\t")) and lines[j].strip())):
                j += 1
            if j - i >= 2:
                _set(kinds, i, j, "log")
                i = j
                continue
        if s.startswith((">", "+", ">>>")):
            # prompt block: R ("> x <- 1", "+ ...", "[1] 2") or Python (">>> ", "... ")
            j = i
            code = prompts = 0
            while j < hi and lines[j].strip() and kinds[j] is None:
                t = lines[j]
                if t.startswith((">>>", "... ")):
                    prompts += 1
                    code += bool(PY_PROMPT.match(t))
                elif t.startswith((">", "+")):
                    prompts += 1
                    # R_CODE needs one of these characters: most quoted prose has none
                    code += bool(("=" in t or "(" in t or "<-" in t or "}" in t or "#" in t)
                                 and R_CODE.match(t))
                j += 1
            if prompts and code * 2 >= prompts and code >= 1 and not any(lines[k].startswith(">>") and not lines[k].startswith(">>>") for k in range(i, j)):
                _set(kinds, i, j, "code")
            i = max(j, i + 1)
            continue
        if s.startswith(("    ", "\t")) and s.strip():
            j = i
            codeish = 0
            while j < hi and (lines[j].startswith(("    ", "\t")) or (not lines[j].strip() and j + 1 < hi and lines[j + 1].startswith(("    ", "\t")))):
                codeish += bool(CODE_CHARS.search(lines[j]))
                j += 1
            nonblank = sum(1 for k in range(i, j) if lines[k].strip())
            if nonblank >= 2 and codeish * 2 >= nonblank and codeish >= 1:
                _set(kinds, i, j, "code")
                i = j
                continue
            i = j
            continue
        i += 1
