"""Discussion: read a thread (quotes folded, signatures dimmed) and build its consolidated reply."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import render as H
from app_pages import exports as X
from app_pages import resources as R
from miner.errors import MinerError

PAGE_SIZE = 50

st.title("Discussion")
st.caption("Read a thread as the community wrote it, then draft its consolidated reply: the "
           "themes and key points of the responses, each quoted verbatim and attributed.")

R.ws()
wanted = st.session_state.get("discussion_thread")
current = None
if wanted:
    try:
        current = R.thread(wanted)
    except MinerError:
        current = None

filt = st.text_input("Find a thread by subject", key="disc_filter",
                     placeholder="e.g. e-discussion, budget, voter registration")
options = R.threads(filt.strip())
ids = [t.thread_id for t in options]
if current is not None and current.thread_id not in ids:
    options = [current, *options]
    ids.insert(0, current.thread_id)
if not options:
    st.info("No thread matches." if filt else "This workspace has no threads yet.")
    st.stop()
by_id = {t.thread_id: t for t in options}
index = ids.index(current.thread_id) if current is not None else 0
if current is None and not filt:  # a sensible default: the discussion with most people
    big = R.top_threads(1)
    if big and big[0].thread_id in by_id:
        index = ids.index(big[0].thread_id)
tid = st.selectbox(
    "Thread", ids, index=index, key=f"disc_pick_{filt}",
    format_func=lambda t: f"{R.shown(by_id[t].subject)[:90] or '(no subject)'} — "
                          f"{by_id[t].messages} msgs, {H.date(by_id[t].start)}")
st.session_state["discussion_thread"] = tid
th = by_id[tid]

st.header(H.md(R.shown(th.subject) or "(no subject)", 160), anchor=False)
st.caption(f"{th.messages} messages from {th.participants} people · {H.date(th.start)} – "
           f"{H.date(th.end)}" + (f" · {H.md(th.list)}" if th.list else ""))

tab_read, tab_reply, tab_people = st.tabs(["Messages", "Consolidated reply", "Participants"])

with tab_people:
    people = R.participants(tid)
    st.dataframe(pd.DataFrame([{
        "name": p.name, "title": p.title or "", "organisation": p.organisation or "",
        "country": p.country or "", "messages here": p.messages} for p in people]),
        hide_index=True, width="stretch")

with tab_read:
    msgs = R.thread_messages(tid)
    pages = max(1, -(-len(msgs) // PAGE_SIZE))
    page = st.number_input("Page", 1, pages, 1, key=f"disc_page_{tid}") if pages > 1 else 1
    show_quotes = st.toggle("Unfold quoted text", value=False, key="disc_quotes",
                            help="Quoted earlier messages are folded away by default.")
    for m in msgs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]:
        with st.container(border=True):
            st.markdown(f"**{H.md(m.author_name or m.author_email or 'unknown')}** · "
                        f"{H.date(m.date, '%d %b %Y %H:%M')}")
            if m.parent_id is None and m.subject and m.subject != th.subject:
                st.caption(H.md(m.subject, 160))
            H.body(m.text)
            if m.quoted_text.strip():
                with st.expander("Quoted text", expanded=show_quotes,
                                 icon=":material/format_quote:"):
                    st.text(m.quoted_text.strip())
            H.dim(m.signature)

with tab_reply:
    summary = R.stage("summary")
    if summary is None:
        H.note_missing("Consolidated replies", f"miner summarize {tid}", "are not available in "
                       "this version of miner.")
        st.stop()
    st.caption("Generate a draft, then drop points, rename or reorder themes; your edits are "
               "saved with the workspace and used by every export.")
    key = f"reply_{tid}"
    if st.button("Generate the draft" if key not in st.session_state else "Regenerate",
                 type="primary", icon=":material/auto_awesome:"):
        with st.spinner("Reading the responses and grouping them into themes…"):
            try:
                draft = R.cached_call("summary", "summarize", tid, edits=False)
                saved = R.cached_call("summary", "load_edits", tid)
            except MinerError as e:
                st.error(str(e))
            else:
                st.session_state[key] = draft
                st.session_state[f"edits_{tid}"] = saved or {
                    "order": [t.key for t in draft.themes], "rename": {}, "drop_themes": [],
                    "drop_points": []}
    draft = st.session_state.get(key)
    if draft is None:
        st.stop()
    p = R.pseudo()
    from miner.pseudonymise import pseudonymise_record

    view = pseudonymise_record(p, draft) if p else draft
    edits = st.session_state[f"edits_{tid}"]
    order = [k for k in edits["order"] if any(t.key == k for t in view.themes)]
    order += [t.key for t in view.themes if t.key not in order]
    edits["order"] = order
    themes = {t.key: t for t in view.themes}
    dropped_pts = {tuple(x) for x in edits["drop_points"]}

    if view.query is not None:
        with st.expander("The question", icon=":material/help:"):
            st.caption(f"{H.md(view.query.author_name)} · {H.date(view.query.date)}")
            H.body(view.query.text)
    st.caption(f"{len(view.contributors)} contributors · {len(view.themes)} themes · "
               f"{len(view.resources)} resources")
    if view.notes:
        for n in view.notes:
            st.caption(":material/info: " + H.md(n))

    for i, k in enumerate(order):
        t = themes[k]
        with st.container(border=True):
            c1, c2, c3, c4 = st.columns([6, 1, 1, 1.4])
            label = c1.text_input("Theme", value=edits["rename"].get(k, t.label),
                                  key=f"lbl_{tid}_{k}", label_visibility="collapsed")
            if label.strip() and label != t.label:
                edits["rename"][k] = label.strip()
            elif label == t.label:
                edits["rename"].pop(k, None)
            if c2.button("↑", key=f"up_{tid}_{k}", disabled=i == 0, help="Move up"):
                order[i - 1], order[i] = order[i], order[i - 1]
                st.rerun()
            if c3.button("↓", key=f"dn_{tid}_{k}", disabled=i == len(order) - 1,
                         help="Move down"):
                order[i + 1], order[i] = order[i], order[i + 1]
                st.rerun()
            keep_theme = c4.checkbox("Keep theme", value=k not in edits["drop_themes"],
                                     key=f"keep_{tid}_{k}")
            if not keep_theme and k not in edits["drop_themes"]:
                edits["drop_themes"].append(k)
            elif keep_theme and k in edits["drop_themes"]:
                edits["drop_themes"].remove(k)
            if keep_theme:
                for j, pt in enumerate(t.points):
                    orig = next((o for o in draft.themes if o.key == k), t).points[j]
                    ident = (orig.message_id, orig.text)
                    keep = st.checkbox(f"{H.md(pt.text)} — *{H.md(pt.attribution)}*",
                                       value=ident not in dropped_pts, key=f"pt_{tid}_{k}_{j}")
                    if not keep and ident not in dropped_pts:
                        edits["drop_points"].append(list(ident))
                        dropped_pts.add(ident)
                    elif keep and ident in dropped_pts:
                        edits["drop_points"].remove(list(ident))
                        dropped_pts.discard(ident)

    b1, b2 = st.columns([1, 3])
    if b1.button("Save edits", icon=":material/save:"):
        try:
            R.call("summary", "save_edits", tid, edits)
            st.success("Edits saved.")
        except MinerError as e:
            st.error(str(e))

    st.subheader("Export", anchor=False)
    final = summary.apply_edits(draft, edits)
    final = pseudonymise_record(p, final) if p else final
    slug = "consolidated-reply"
    e1, e2, e3 = st.columns(3)
    e1.download_button("Word (DOCX)", lambda: X.reply_bytes(final, "docx"),
                       file_name=f"{slug}.docx", icon=":material/description:",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml."
                            "document")
    e2.download_button("Web page (HTML)", lambda: X.reply_bytes(final, "html"),
                       file_name=f"{slug}.html", mime="text/html", icon=":material/html:")
    e3.download_button("Markdown", lambda: X.reply_bytes(final, "md"), file_name=f"{slug}.md",
                       mime="text/markdown", icon=":material/article:")
    with st.expander("Preview (Markdown source)", icon=":material/preview:"):
        st.code(X.reply_bytes(final, "md").decode("utf-8"), language="markdown")
