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
c[4].metric("Years", f"{H.date(s['first_date'], '%Y')}–{H.date(s['last_date'], '%y')}",
            help=f"From {H.date(s['first_date'])} to {H.date(s['last_date'])}")
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

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Most active threads")
    st.caption("Open one on the Discussion page to read it or draft its consolidated reply.")
    top = R.top_threads(10)
    st.dataframe(pd.DataFrame([{
        "subject": R.shown(t.subject), "messages": t.messages, "people": t.participants,
        "started": H.date(t.start), "thread": t.thread_id} for t in top]),
        hide_index=True, width="stretch",
        column_config={"thread": None, "subject": st.column_config.TextColumn(width="large"),
                       "messages": st.column_config.NumberColumn(width="small"),
                       "people": st.column_config.NumberColumn(width="small"),
                       "started": st.column_config.TextColumn(width="small")})
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
            "date": H.date(u.date), "subject": R.shown(u.subject), "author": R.who(u.author_name)}
            for u in un]), hide_index=True, width="stretch",
            column_config={"date": st.column_config.TextColumn(width="small"),
                           "subject": st.column_config.TextColumn(width="large")})
    else:
        st.success("Every post got at least one reply.")

st.subheader("Analysis")
runs = R.stage_runs()
avail = R.available_stages()
badges = []
for name in avail:
    run = runs.get(name)
    if run is None:
        badges.append(f":gray-badge[:material/schedule: {name}: not run]")
    elif run.status == "done":
        badges.append(f":green-badge[:material/check: {name}]")
    else:
        badges.append(f":orange-badge[:material/warning: {name}: {run.status}]")
st.markdown(" ".join(badges))
if any(name not in runs for name in avail):
    st.caption("Some analyses have not run yet: start them from the **Ingest** page "
               "(or `miner analyze`).")
