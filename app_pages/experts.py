"""Experts: who knows what, who talks to whom, and who could answer a new question."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import render as H
from app_pages import resources as R
from miner.errors import MinerError

st.title("Experts")
st.caption("People who gave substantive answers on a topic, with the messages that show it; "
           "the reply network; and who to ask about a new question.")

R.ws()
mod = R.stage("experts")


def _get(rec, *names, default=None):
    for n in names:
        if hasattr(rec, n):
            return getattr(rec, n)
    return default


tab_people, tab_ask, tab_net = st.tabs(["People per topic", "Who could answer this?",
                                        "Reply network"])
ready = mod is not None and R.stage_done("experts")

with tab_people:
    if H.stage_ready("experts", "Expert profiles", "miner analyze embeddings topics experts",
                     stop=False):
        tl = H.topic_labels()
        topic = H.topic_filter(labels=tl, any_label="all topics")
        try:
            experts = R.cached_call("experts", "list_experts", topic=topic, limit=20)
        except MinerError as e:
            st.error(str(e))
            experts = []
        p = R.pseudo()
        if p is not None:
            from miner.pseudonymise import pseudonymise_record

            experts = [pseudonymise_record(p, x) for x in experts]
        if experts:
            st.dataframe(pd.DataFrame([{
                "name": ex.name, "organisation": ex.organisation or "", "country": ex.country or "",
                "answers": ex.answers, "threads": ex.threads, "score": round(ex.score, 3),
                "main topics": ", ".join(tl.get(t, str(t)) for t in ex.topics[:3])}
                for ex in experts]), hide_index=True, width="stretch",
                column_config={"score": st.column_config.ProgressColumn(
                    "score", format="%.2f", min_value=0.0,
                    max_value=max(ex.score for ex in experts) or 1.0)})
            st.markdown("**Evidence**: the answers that make each person an expert")
        for i, ex in enumerate(experts[:10]):
            aff = H.affiliation(ex.organisation, ex.country)
            with st.expander(f"{H.md(ex.name)}" + (f" — {aff}" if aff else ""), expanded=i == 0):
                for j, mid in enumerate(list(ex.evidence)[:5]):
                    try:
                        m = R.message(mid)
                    except MinerError:
                        continue
                    st.markdown(f"- **{H.md(m.subject, 100)}** · {H.date(m.date)}")
                    st.caption(H.md(m.text, 260))
        if not experts:
            st.info("No expert found for this topic.")

with tab_ask:
    st.caption("Paste a new question: the people whose past answers are closest to it.")
    q = st.text_area("Question", key="ask_q", height=100,
                     placeholder="How can electoral commissions reach first-time voters?")
    if q.strip():
        if mod is None or not ready:
            H.note_missing("This", "miner analyze embeddings topics experts",
                           "needs the experts analysis.")
        else:
            try:
                who = R.cached_call("experts", "who_could_answer", q, k=10)
            except MinerError as e:
                st.error(str(e))
                who = []
            p = R.pseudo()
            if p is not None:
                from miner.pseudonymise import pseudonymise_record

                who = [pseudonymise_record(p, x) for x in who]
            if who:
                st.dataframe(pd.DataFrame([H.record_row(x) for x in who]), hide_index=True,
                             width="stretch")
            else:
                st.info("Nobody in the archive has answered anything close to this.")

with tab_net:
    st.caption("Who replies to whom among the 60 most active people. Bigger dots: more "
               "replies; thicker lines: more exchanges. Hover a dot for the name.")
    nodes, lines = R.network(60)
    if not nodes:
        st.info("No replies between people yet.")
    else:
        pos = {n: (x, y) for n, _, x, y, _ in nodes}
        edf = pd.DataFrame([{"x": pos[a][0], "y": pos[a][1], "x2": pos[b][0], "y2": pos[b][1],
                             "weight": w} for a, b, w in lines])
        ndf = pd.DataFrame([{"name": name, "x": x, "y": y, "replies": d}
                            for _, name, x, y, d in nodes])
        axis = alt.Axis(title=None, labels=False, ticks=False, grid=False, domain=False)
        e = alt.Chart(edf).mark_rule(color="#9aa5b1", opacity=0.5).encode(
            x=alt.X("x:Q", axis=axis), y=alt.Y("y:Q", axis=axis), x2="x2:Q", y2="y2:Q",
            strokeWidth=alt.StrokeWidth("weight:Q", legend=None, scale=alt.Scale(range=[0.5, 4])))
        n = alt.Chart(ndf).mark_circle(color="#4c78a8", opacity=0.9).encode(
            x="x:Q", y="y:Q",
            size=alt.Size("replies:Q", legend=None, scale=alt.Scale(range=[40, 600])),
            tooltip=["name:N", "replies:Q"])
        labels = alt.Chart(ndf.nlargest(15, "replies")).mark_text(
            dy=-12, fontSize=11, color="#333").encode(x="x:Q", y="y:Q", text="name:N")
        st.altair_chart((e + n + labels).properties(height=520).configure_view(strokeWidth=0),
                        width="stretch")
