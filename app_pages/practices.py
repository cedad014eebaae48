"""Practices: lessons, good practices and recommendations members shared, as cards."""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from app_pages import render as H
from app_pages import resources as R
from miner.errors import MinerError

st.title("Practices")
st.caption("Lessons learned, good practices, recommendations and challenges members shared, "
           "each with who said it and where. Filter them, tick the ones you want, and export a "
           "lessons document.")

R.ws()
H.stage_ready("practices", "Practices", "miner analyze embeddings practices")


def _get(rec, *names, default=None):
    for n in names:
        if hasattr(rec, n):
            return getattr(rec, n)
    return default


kinds = list(getattr(R.stage("practices"), "KINDS", ()))
c1, c2, c3, c4 = st.columns(4)
kind = c1.selectbox("Kind", [None, *kinds], format_func=lambda k: "all kinds" if k is None else k)
topic = H.topic_filter(c2)
country = H.country_filter(c3)
person = H.person_filter(c4)
filters = {"kind": kind, "topic": topic, "country": country, "person": person}
try:
    total = R.cached_call("practices", "count_practices", **filters)
except MinerError as e:
    st.error(str(e))
    st.stop()
everything = R.cached_call("practices", "count_practices")
st.write(f"{total:,} of {everything:,} lessons")
if not total:
    st.info("No lesson matches these filters.")
    st.stop()

PAGE = 25
pages = max(1, -(-total // PAGE))
page = st.number_input(f"Page (of {pages:,})", 1, pages, 1, key="pr_page") if pages > 1 else 1
cards = R.cached_call("practices", "list_practices", **filters, limit=PAGE,
                      offset=(page - 1) * PAGE)
p = R.pseudo()
if p is not None:
    from miner.pseudonymise import pseudonymise_record

    cards = [pseudonymise_record(p, x) for x in cards]
for c in cards:
    cid = _get(c, "card_id", default=id(c))
    with st.container(border=True):
        top, tick = st.columns([8, 1])
        k = _get(c, "kind", default="")
        where = ", ".join(_get(c, "places", default=()) or ())
        top.markdown(f"**{H.md(str(k).replace('_', ' ').capitalize())}**"
                     + (f" · {H.md(where)}" if where else ""))
        tick.checkbox("Export", key=f"pick_{cid}", value=True,
                      help="Untick to leave this lesson out of the export.")
        H.para(_get(c, "text", "statement", "summary", default="") or "")
        who = _get(c, "author_name", "person", "author", default="")
        org = ", ".join(_get(c, "organisations", default=()) or ())
        st.caption(" · ".join(H.md(x) for x in (who, org, H.date(_get(c, "date"))) if x))
unticked = {k for k, v in st.session_state.items() if str(k).startswith("pick_") and v is False}
read_all = R.deferred("practices", "list_practices")


def picked():
    """Every card matching the filters (all pages), minus the unticked ones: read on export."""
    out = read_all(**filters)
    if p is not None:
        from miner.pseudonymise import pseudonymise_record

        out = [pseudonymise_record(p, x) for x in out]
    return [c for c in out if f"pick_{_get(c, 'card_id', default=id(c))}" not in unticked]


def lessons_markdown(items) -> str:
    from miner.stages.summary.render_md import md_escape

    lines = ["# Lessons from the community", ""]
    for c in items:
        k = str(_get(c, "kind", default="lesson")).replace("_", " ").capitalize()
        who = ", ".join(x for x in (_get(c, "author_name", "person", default=""),
                                     ", ".join(_get(c, "organisations", default=()) or ()),
                                     ", ".join(_get(c, "places", default=()) or ())) if x)
        lines += [f"## {md_escape(k)}", "", md_escape(_get(c, "text", "statement", default="")),
                  "", f"*{md_escape(who)}*" if who else "", ""]
    return "\n".join(lines)


def lessons_html(items) -> str:
    out = ["<!doctype html><meta charset='utf-8'><title>Lessons</title>",
           "<h1>Lessons from the community</h1>"]
    for c in items:
        k = str(_get(c, "kind", default="lesson")).replace("_", " ").capitalize()
        who = ", ".join(x for x in (_get(c, "author_name", "person", default=""),
                                     ", ".join(_get(c, "organisations", default=()) or ()),
                                     ", ".join(_get(c, "places", default=()) or ())) if x)
        text = _get(c, "text", "statement", default="") or ""
        out.append(f"<h2>{html.escape(k)}</h2><p>{html.escape(text)}"
                   f"</p><p><em>{html.escape(who)}</em></p>")
    return "\n".join(out)


st.subheader("Export the lessons", anchor=False)
n_out = total - len(unticked)
st.caption(f"{n_out:,} lessons: those matching the filters, minus any you unticked.")
d1, d2, d3 = st.columns(3)
d1.download_button("Markdown", lambda: lessons_markdown(picked()).encode(), "lessons.md",
                   "text/markdown", disabled=n_out <= 0, icon=":material/article:")
d2.download_button("Web page (HTML)", lambda: lessons_html(picked()).encode(), "lessons.html",
                   "text/html", disabled=n_out <= 0, icon=":material/html:")
d3.download_button("Table (CSV)", lambda: pd.DataFrame([H.record_row(x) for x in picked()])
                   .to_csv(index=False).encode(), "lessons.csv", "text/csv",
                   disabled=n_out <= 0, icon=":material/table:")
