"""Rendering helpers that keep archive text inert.

Mailing-list archives contain hostile HTML (``<script>``, ``<img onerror=...>``) and text that
Markdown would turn into links, images or Streamlit directives. Rules of the app:

* a message body goes through :func:`body` (``st.text``: no Markdown, no HTML at all);
* any archive string placed inside Markdown (a subject in a heading, a name in a caption, an
  expander or button label) goes through :func:`md` first, which backslash-escapes every Markdown
  and HTML character, so ``<script>`` shows as the characters ``<script>``;
* ``unsafe_allow_html=True`` is never used with archive content (nowhere in the app, in fact).
"""
from __future__ import annotations

import re
from datetime import datetime

import streamlit as st

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$&:\"'=@^%])")
_WS = re.compile(r"\s+")


def md(text: object, limit: int | None = None) -> str:
    """``text`` as one line of inert Markdown: every special character escaped."""
    s = _WS.sub(" ", str(text if text is not None else "")).strip()
    if limit and len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return _MD_SPECIAL.sub(r"\\\1", s)


def body(text: str, *, empty: str = "(no text of the author's own)") -> None:
    """A message body, as plain text (never Markdown, never HTML)."""
    st.text(text.strip() if text and text.strip() else empty)


def dim(text: str) -> None:
    """Secondary archive text (a signature): plain text, shown small and grey."""
    if text and text.strip():
        st.caption(md(text.replace("\n", " · ")))


def date(d: datetime | str | None, fmt: str = "%d %b %Y") -> str:
    if d is None or d == "":
        return "undated"
    if isinstance(d, str):
        try:
            d = datetime.fromisoformat(d)
        except ValueError:
            return d[:10]
    return d.strftime(fmt)


def affiliation(*parts: str | None) -> str:
    """"Title, Organisation, Country" leaving out what is unknown (escaped)."""
    return md(", ".join(p for p in parts if p))


def note_missing(what: str, command: str, why: str = "") -> None:
    """The standard note of a page whose analysis stage has not run (or is not installed)."""
    st.info(f"{what} {why or 'have not been computed for this workspace yet.'}  \n"
            f"Run the analysis from the **Ingest** page, or in a terminal:")
    st.code(command, language="bash")


def stage_ready(name: str, what: str, command: str, *, stop: bool = True) -> bool:
    """True when stage ``name`` is installed and has run; else the standard note (and, with
    ``stop``, the page ends here). ``what`` is the plural subject of the note ("Topics")."""
    from app_pages import resources as R

    if R.stage(name) is None:
        note_missing(what, command, "are not available in this version of miner yet.")
    elif not R.stage_done(name):
        note_missing(what, command)
    else:
        return True
    if stop:
        st.stop()
    return False


# --------------------------------------------------------------------------- filter widgets

def topic_labels() -> dict[int, str]:
    """``{topic_id: label}`` (as displayed) when the topics stage has run, else empty."""
    from app_pages import resources as R
    from miner.errors import MinerError

    if R.stage("topics") is None or not R.stage_done("topics"):
        return {}
    try:
        return {t.topic_id: R.shown(t.label) for t in R.cached_call("topics", "list_topics")
                if t.topic_id != -1}
    except MinerError:
        return {}


def topic_filter(where=st, *, labels: dict[int, str] | None = None, key: str | None = None,
                 any_label: str = "any topic") -> int | None:
    """A topic menu (None: any); nothing is shown when there are no topics."""
    tl = topic_labels() if labels is None else labels
    if not tl:
        return None
    return where.selectbox("Topic", [None, *tl], key=key,
                           format_func=lambda t: any_label if t is None else tl[t])


def person_filter(where=st, *, key: str | None = None, help: str | None = None) -> int | None:
    """A menu of the most active people (None: anyone)."""
    from app_pages import resources as R

    names = dict(R.people_choices())
    return where.selectbox("Person", [None, *names], key=key, help=help,
                           format_func=lambda p: "anyone" if p is None else names[p])


def country_filter(where=st, *, key: str | None = None) -> str | None:
    """A menu of the countries known from people's signatures (None: any)."""
    from app_pages import resources as R

    return where.selectbox("Country", [None, *R.countries()], key=key,
                           format_func=lambda c: "any country" if c is None else c)


def highlighted(snippet: str, highlights) -> str:
    """A search snippet as inert Markdown with the matched terms in bold."""
    out, pos = [], 0
    for a, b in highlights or ():
        if a < pos or b <= a:
            continue
        out.append(_MD_SPECIAL.sub(r"\\\1", _WS.sub(" ", snippet[pos:a])))
        out.append("**" + _MD_SPECIAL.sub(r"\\\1", _WS.sub(" ", snippet[a:b])) + "**")
        pos = b
    out.append(_MD_SPECIAL.sub(r"\\\1", _WS.sub(" ", snippet[pos:])))
    return "".join(out).strip()


def record_row(rec, skip: tuple[str, ...] = ()) -> dict:
    """The scalar fields of a record (a frozen dataclass) as a table row; lists are joined."""
    import dataclasses

    out = {}
    for f in dataclasses.fields(rec):
        if f.name in skip:
            continue
        v = getattr(rec, f.name)
        if isinstance(v, datetime):
            v = v.strftime("%Y-%m-%d")
        elif isinstance(v, (tuple, list)):
            if v and all(isinstance(x, (str, int, float)) for x in v):
                v = ", ".join(str(x) for x in v)
            else:
                continue
        elif dataclasses.is_dataclass(v):
            continue
        out[f.name.replace("_", " ")] = v
    return out


_SOFT_BREAK = re.compile(r"(?<!\n)\n(?!\n)")


def para(text: str) -> None:
    """A short archive extract (a lesson, a point) as plain text, hard line wraps joined."""
    st.text(_SOFT_BREAK.sub(" ", (text or "").strip()) or "(empty)")
