"""Search: hybrid search (meaning + words) over messages or threads, with filters."""
from __future__ import annotations

import streamlit as st

from app_pages import render as H
from app_pages import exports as X
from app_pages import resources as R
from miner.errors import MinerError

st.title("Search")
st.caption("Find what the community said about a question, in any wording. Search ranks by "
           "meaning and by words together; quotes and signatures are left out.")

R.ws()
if R.stage("search") is None:
    H.note_missing("Search", "miner analyze embeddings", "is not installed in this version of "
                   "miner.")
    st.stop()

embedded = R.stage_done("embeddings")
s = R.stats()
query = st.text_input("Search the archive", key="q",
                      placeholder="e.g. how to get young people to vote in local elections")

with st.expander("Filters", expanded=False, icon=":material/filter_list:"):
    c1, c2, c3 = st.columns(3)
    lists = s["lists"]
    list_name = c1.selectbox("List", [None, *lists], format_func=lambda x: "all lists" if x is
                             None else x) if len(lists) > 1 else None
    since = c2.date_input("From", value=None, help="Only messages on or after this day.")
    until = c3.date_input("Until", value=None, help="Only messages up to this day (included).")
    c4, c5, c6 = st.columns(3)
    person = H.person_filter(c4, help="Messages written by this person.")
    topic = H.topic_filter(c5)
    modes = ["hybrid", "keyword", "semantic"] if embedded else ["keyword"]
    mode = c6.selectbox("Ranking", modes, help="hybrid: meaning and words; keyword: the words "
                        "only (BM25); semantic: meaning only.")
    k = st.slider("Results", 5, 100, 20, step=5)

unit = st.radio("Show", ["Threads", "Messages"], horizontal=True, key="unit",
                help="Threads: one result per discussion, shown by its best message.")
if not embedded:
    st.caption(":material/info: Meaning-based search needs the embeddings: run the analysis on "
               "the Ingest page (or `miner analyze embeddings`). Until then, words only.")


def hits_for(q: str):
    wanted = k * 4 if topic is not None else k
    hits = R.search(q, k=wanted, mode=mode, list_name=list_name,
                    since=since.isoformat() if since else None,
                    until=until.isoformat() if until else None,
                    author=str(person) if person is not None else None,
                    threads=unit == "Threads")
    if topic is not None:
        hits = [h for h in hits if h.thread_id and topic in
                {t for t, _ in R.cached_call("topics", "thread_topics", h.thread_id)}][:k]
    return hits


def show_hits(hits, prefix: str) -> None:
    for i, h in enumerate(hits):
        with st.container(border=True):
            st.markdown(f"**{H.md(h.subject or '(no subject)', 140)}**")
            meta = [H.md(h.author_name or "unknown"), H.date(h.date)]
            if h.messages:
                meta.append(f"{h.messages} messages, {h.participants or 0} people")
            if h.list:
                meta.append(H.md(h.list))
            meta.append(f"score {h.score:.2f}")
            st.caption(" · ".join(meta))
            st.markdown(H.highlighted(h.snippet, h.highlights) or "_(empty)_")
            b1, b2, _ = st.columns([1, 1, 3])
            if b1.button("Open the discussion", key=f"{prefix}open{i}", icon=":material/forum:"):
                st.session_state["discussion_thread"] = h.thread_id or h.message_id
                st.switch_page("app_pages/discussion.py")
            if b2.button("More like this", key=f"{prefix}mlt{i}", icon=":material/join:"):
                st.session_state["mlt"] = (h.message_id, h.thread_id, unit)
                st.rerun()


if query.strip():
    try:
        hits = hits_for(query)
    except MinerError as e:
        st.error(str(e))
        hits = []
    if hits:
        st.write(f"{len(hits)} {unit.lower()} found")
        d1, d2, _ = st.columns([1, 1, 3])
        d1.download_button("Download CSV", X.hits_csv(hits), file_name="search-results.csv",
                           mime="text/csv", icon=":material/download:")
        ids = [h.message_id for h in hits]
        d2.download_button("Download mbox", lambda w=R.ws(), p=R.pseudo(): X.mbox_of(w, p, ids),
                           file_name="search-results.mbox",
                           mime="application/mbox", icon=":material/download:",
                           help="The messages shown (for threads: their best message).")
        show_hits(hits, "h")
    else:
        st.info("Nothing found. Try other words, fewer filters, or the keyword ranking.")
else:
    st.caption("Type a question or a few words above. Tip: `tax*` matches tax, taxes, taxation.")

mlt = st.session_state.get("mlt")
if mlt:
    st.divider()
    mid, tid, mlt_unit = mlt
    head, close = st.columns([5, 1])
    head.subheader("More like this")
    if close.button("Close", key="mlt_close"):
        st.session_state.pop("mlt")
        st.rerun()
    try:
        similar = (R.more_like_this(thread_id=tid, k=10) if mlt_unit == "Threads" and tid
                   else R.more_like_this(message_id=mid, k=10))
    except MinerError as e:
        st.error(str(e))
        similar = []
    if similar:
        show_hits(similar, "m")
    else:
        st.caption("No similar discussions found.")
