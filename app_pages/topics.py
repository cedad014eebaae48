"""Topics: what the community talks about, how that changed, and the facilitator's labels."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import render as H
from app_pages import resources as R
from miner.errors import MinerError

st.title("Topics")
st.caption("Themes found in the messages' own text (quotes and signatures left out). Rename a "
           "topic to the words your community uses, or merge two that are really one.")

R.ws()
H.stage_ready("topics", "Topics", "miner analyze embeddings topics")
topics = R.cached_call("topics", "list_topics")
topics = [t for t in topics if t.topic_id != -1]
if not topics:
    st.info("The topic analysis found no topic (too few messages?).")
    st.stop()
labels = {t.topic_id: R.shown(t.label) for t in topics}

st.dataframe(pd.DataFrame([{
    "topic": labels[t.topic_id], "messages": t.size, "threads": t.threads,
    "keywords": ", ".join(t.keywords[:8]), "first seen": (t.first_seen or "")[:10],
    "last seen": (t.last_seen or "")[:10], "id": t.topic_id} for t in topics]),
    hide_index=True, width="stretch", height=min(38 * (len(topics) + 1), 360),
    column_config={"messages": st.column_config.ProgressColumn(
        "messages", format="%d", min_value=0, max_value=max(t.size for t in topics))})

st.subheader("Topics over time", anchor=False)
chosen = st.multiselect("Topics to compare", list(labels), default=list(labels)[:5],
                        format_func=lambda t: labels[t], max_selections=10)
rows = []
for t in chosen:
    for per in R.cached_call("topics", "topic_over_time", t):
        rows.append({"month": pd.to_datetime(per.period + "-01"), "topic": labels[t],
                     "messages": per.messages})
if rows:
    df = pd.DataFrame(rows).groupby(["month", "topic"], as_index=False)["messages"].sum()
    st.altair_chart(alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("yearmonth(month):T", title=None),
        y=alt.Y("messages:Q", title="messages per month"),
        color=alt.Color("topic:N", legend=alt.Legend(orient="bottom", columns=2, labelLimit=400)),
        tooltip=["topic:N", alt.Tooltip("yearmonth(month):T", title="month"), "messages:Q"],
    ).properties(height=260), width="stretch")

st.subheader("A topic up close", anchor=False)
tid = st.selectbox("Topic", list(labels), format_func=lambda t: labels[t], key="topic_pick")
top = next(t for t in topics if t.topic_id == tid)
st.caption(f"{top.size} messages in {top.threads} threads · keywords: "
           + H.md(", ".join(top.keywords[:12])))
left, right = st.columns(2)
msgs = R.cached_call("topics", "topic_messages", tid, k=30)
with left:
    st.markdown("**Representative messages**")
    for m in msgs[:8]:
        st.markdown(f"- {H.md(R.shown(m.subject) or '(no subject)', 100)} · {H.date(m.date)}")
with right:
    st.markdown("**Representative threads**")
    seen: list[str] = []
    for m in msgs:
        try:
            t_id = R.message(m.message_id).thread_id
        except MinerError:
            continue
        if t_id and t_id not in seen:
            seen.append(t_id)
        if len(seen) == 5:
            break
    for i, t_id in enumerate(seen):
        th = R.thread(t_id)
        if st.button(f"{H.md(R.shown(th.subject), 80)} ({th.messages})", key=f"tt{i}",
                     icon=":material/forum:"):
            st.session_state["discussion_thread"] = t_id
            st.switch_page("app_pages/discussion.py")

with st.expander("Rename or merge topics", icon=":material/edit:"):
    c1, c2 = st.columns([3, 1])
    new = c1.text_input("New label for the topic above", value=top.label, key=f"ren_{tid}")
    if c2.button("Rename", key="rename") and new.strip() and new != top.label:
        try:
            R.call("topics", "rename_topic", tid, new)
            st.rerun()
        except MinerError as e:
            st.error(str(e))
    merge = st.multiselect("Topics to merge (into the first one chosen)", list(labels),
                           format_func=lambda t: labels[t], key="merge_pick")
    if st.button("Merge", key="merge", disabled=len(merge) < 2):
        try:
            R.call("topics", "merge_topics", merge)
            st.rerun()
        except MinerError as e:
            st.error(str(e))
