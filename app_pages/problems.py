"""Problems: the questions the community keeps asking, with their best answers."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import render as H
from app_pages import resources as R
from miner.errors import MinerError

st.title("Problems")
st.caption("Recurring problems: the same question asked again in other words. For each, how "
           "often and when it came up, the clearest wording of the question, and the best "
           "answers given so far — material for an FAQ or a new e-discussion.")

R.ws()
H.stage_ready("problems", "Recurring problems", "miner analyze embeddings problems")
problems = R.cached_call("problems", "list_problems")
if not problems:
    st.info("No recurring problem was found: no question was asked twice in other words.")
    st.stop()

st.dataframe(pd.DataFrame([{
    "question": R.shown(x.question)[:160], "asked": x.count, "by people": x.people,
    "threads": len(x.threads), "first seen": H.date(x.first_seen), "last seen": H.date(x.last_seen)}
    for x in problems]), hide_index=True, width="stretch",
    height=min(38 * (len(problems) + 1), 320),
    column_config={"asked": st.column_config.NumberColumn("asked", format="%d times")})

st.subheader("Each problem with its best answers", anchor=False)
st.caption("The 10 most frequent; the table above lists them all.")
for i, prob in enumerate(problems[:10]):
    head = f"{H.md(R.shown(prob.question), 110)} — asked {prob.count} times"
    with st.expander(head, expanded=i == 0):
        st.caption(f"{prob.people} people · first seen {H.date(prob.first_seen)} · last seen "
                   f"{H.date(prob.last_seen)}")
        st.markdown("**The question**")
        H.body(R.shown(prob.question))
        if prob.answers:
            st.markdown("**Best answers**")
        for mid in prob.answers[:3]:
            try:
                m = R.message(mid)
            except MinerError:
                continue
            with st.container(border=True):
                st.caption(f"{H.md(m.author_name)} · {H.date(m.date)} · {H.md(m.subject, 90)}")
                H.body(m.text[:1500] + ("…" if len(m.text) > 1500 else ""))
        st.markdown("**Where it was asked**")
        for j, t_id in enumerate(prob.threads[:6]):
            try:
                th = R.thread(t_id)
            except MinerError:
                continue
            if st.button(f"{H.md(R.shown(th.subject), 90)} ({H.date(th.start)}, {th.messages} "
                         "messages)", key=f"pr{i}_{j}", icon=":material/forum:"):
                st.session_state["discussion_thread"] = t_id
                st.switch_page("app_pages/discussion.py")
