"""Overview: what the workspace holds, how active the list has been, where the talk is."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import render as H
from app_pages import resources as R

st.title("Overview")
st.caption("What this archive holds, when people wrote, and which discussions need attention.")

R.ws()
s = R.stats()
if not s["messages"]:
    st.info("This workspace is empty. Add an archive on the **Ingest** page.")
    st.page_link("app_pages/ingest.py", label="Go to Ingest", icon=":material/upload_file:")
    st.stop()

c = st.columns(5)
c[0].metric("Lists", len(s["lists"]) or 1)
c[1].metric("Messages", f"{s['messages']:,}")
c[2].metric("Threads", f"{s['threads']:,}")
c[3].metric("People", f"{s['people']:,}")
c[4].metric("Date span", f"{H.date(s['first_date'], '%b %Y')} – {H.date(s['last_date'], '%b %Y')}")
if s["lists"]:
    st.caption("Lists: " + ", ".join(H.md(x) for x in s["lists"]) + "  ·  Languages: "
               + ", ".join(f"{H.md(k)} ({v:,})" for k, v in s["languages"].items()))

st.subheader("Activity over time")
act = R.activity()
if act:
    df = pd.DataFrame([{"month": pd.to_datetime(a.period + "-01"), "messages": a.messages,
                        "new threads": a.threads, "authors": a.people} for a in act])
    chart = alt.Chart(df).mark_bar(color="#4c78a8").encode(
        x=alt.X("yearmonth(month):T", title=None),
        y=alt.Y("messages:Q", title="messages per month"),
        tooltip=[alt.Tooltip("yearmonth(month):T", title="month"), "messages:Q",
                 "new threads:Q", "authors:Q"],
    ).properties(height=220)
    st.altair_chart(chart, width="stretch")
else:
    st.caption("No dated messages.")

left, right = st.columns(2)
with left:
    st.subheader("Most active threads")
    st.caption("Open one on the Discussion page to read it or draft its consolidated reply.")
    top = R.top_threads(10)
    st.dataframe(pd.DataFrame([{
        "subject": R.shown(t.subject), "messages": t.messages, "people": t.participants,
        "started": H.date(t.start), "thread": t.thread_id} for t in top]),
        hide_index=True, width="stretch",
        column_config={"thread": None})
    if top:
        pick = st.selectbox("Open a thread", [t.thread_id for t in top], key="ov_thread",
                            format_func=lambda tid: R.shown(
                                next(t.subject for t in top if t.thread_id == tid))[:90])
        if st.button("Read this discussion", icon=":material/forum:"):
            st.session_state["discussion_thread"] = pick
            st.switch_page("app_pages/discussion.py")
with right:
    st.subheader("Unanswered posts")
    st.caption("Recent questions nobody replied to: candidates for a facilitator's follow-up.")
    un = R.unanswered(15)
    if un:
        st.dataframe(pd.DataFrame([{
            "date": H.date(u.date), "author": R.who(u.author_name), "subject": R.shown(u.subject)}
            for u in un]), hide_index=True, width="stretch")
    else:
        st.success("Every post got at least one reply.")

st.subheader("Analysis")
runs = R.stage_runs()
avail = R.available_stages()
cols = st.columns(max(len(avail), 1))
for col, name in zip(cols, avail):
    run = runs.get(name)
    status = "not run" if run is None else run.status
    col.metric(name.capitalize(), status, help=f"last finished {run.finished}" if run and
               run.finished else None)
if any(name not in runs for name in avail):
    st.caption("Some analyses have not run yet: start them from the **Ingest** page "
               "(or `miner analyze`).")
