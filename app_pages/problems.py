"""Problems: the questions the community keeps asking, with their best answers."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import render as H
from app_pages import resources as R

st.title("Problems")
st.caption("Recurring problems: the same question asked again in other words. For each, how "
           "often and when it came up, the clearest wording of the question, and the best "
           "answers given so far — material for an FAQ or a new e-discussion.")

R.ws()
mod = R.stage("problems")
if mod is None:
    H.note_missing("Recurring problems", "miner analyze embeddings problems",
                   "are not available in this version of miner yet.")
    st.stop()
if not R.stage_done("problems"):
    H.note_missing("Recurring problems", "miner analyze embeddings problems")
    st.stop()
problems = R.cached_call("problems", "list_problems")
p = R.pseudo()
if p is not None:
    from miner.pseudonymise import pseudonymise_record

    problems = [pseudonymise_record(p, x) for x in problems]
if not problems:
    st.info("No recurring problem was found.")
    st.stop()

st.dataframe(pd.DataFrame([H.record_row(x) for x in problems]), hide_index=True,
             width="stretch", height=min(38 * (len(problems) + 1), 320))


def _get(rec, *names, default=None):
    for n in names:
        if hasattr(rec, n):
            return getattr(rec, n)
    return default


for i, prob in enumerate(problems[:30]):
    title = _get(prob, "label", "title", "question", "canonical_question", default="") or ""
    count = _get(prob, "count", "size", "occurrences", "messages")
    head = H.md(str(title), 120) + (f" — asked {count} times" if count else "")
    with st.expander(head, expanded=i == 0):
        first = _get(prob, "first_seen", "first")
        last = _get(prob, "last_seen", "last")
        if first or last:
            st.caption(f"First seen {H.date(first)} · last seen {H.date(last)}")
        q = _get(prob, "canonical_question", "question")
        if q is not None:
            st.markdown("**The question**")
            H.body(q if isinstance(q, str) else _get(q, "text", "subject", default=str(q)))
        answers = _get(prob, "best_answers", "answers", default=()) or ()
        if answers:
            st.markdown("**Best answers**")
            for a in answers[:5]:
                if isinstance(a, str):
                    H.body(a)
                    continue
                who = _get(a, "author_name", "author", default="")
                st.caption(f"{H.md(who)} · {H.date(_get(a, 'date'))}")
                H.body(_get(a, "text", "snippet", default="") or "")
        threads = _get(prob, "thread_ids", "threads", default=()) or ()
        for j, t in enumerate(list(threads)[:6]):
            t_id = t if isinstance(t, str) else _get(t, "thread_id", default=None)
            if t_id and st.button(f"Open thread {j + 1}", key=f"pr{i}_{j}", icon=":material/forum:"):
                st.session_state["discussion_thread"] = t_id
                st.switch_page("app_pages/discussion.py")
