"""Ingest: add an archive (upload, path or URL) and rerun the analysis, with progress."""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages import render as H
from app_pages import resources as R
from app_pages import uploads
from miner.errors import MinerError

st.title("Ingest")
st.caption("Add mailing-list archives to this workspace: mbox, Mailman/pipermail text archives "
           "(.txt, .txt.gz), maildir folders, .eml files, or zip/gz/bz2/xz of those. Adding the "
           "same archive twice changes nothing.")

path = R.workspace_path()
exists = R.has_workspace()
if not exists:
    st.info(f"There is no workspace at **{H.md(path)}** yet: the first archive you add creates it. "
            "(Pick another folder on the Settings page.)")

MAX = R.MAX_UPLOAD_MB * 1024 * 1024
tab_up, tab_path, tab_url = st.tabs(["Upload a file", "A path on this machine", "A web address"])
with tab_up:
    files = st.file_uploader("Archive files", accept_multiple_files=True,
                             max_upload_size=R.MAX_UPLOAD_MB,
                             help=f"Up to {R.MAX_UPLOAD_MB} MB each; bigger archives: use a path.")
with tab_path:
    local = st.text_input("File or folder", key="ing_path", placeholder="/data/lists/gov-cop.mbox",
                          help="A file, a folder (read recursively) or a glob such as "
                               "'archives/*.txt.gz', as seen by the machine running the app.")
with tab_url:
    url = st.text_input("URL of an archive file", key="ing_url",
                        placeholder="https://lists.example.org/"
                        "pipermail/gov-cop/2021-October.txt.gz",
                        help=f"http or https; up to {R.MAX_UPLOAD_MB} MB.")
list_name = st.text_input("List name (optional)", key="ing_list",
                          help="Overrides the list name found in the "
                          "messages' headers, e.g. when an archive has no List-Id.")

if st.button("Add to the workspace", type="primary", icon=":material/upload_file:"):
    specs: list[str] = []
    failed = False
    try:
        if not exists:
            R.create_workspace(path)
        folder = Path(R.ws().path) / "uploads"
        for f in files or []:
            specs.append(str(uploads.save_upload(folder, f.name, f.getvalue(), MAX)))
        if local.strip():
            specs.append(local.strip())
        if url.strip():
            with st.spinner("Downloading…"):
                specs.append(str(uploads.fetch_url(folder, url, MAX)))
    except MinerError as e:
        st.error(str(e))
        specs, failed = [], True
    if not specs and not failed:
        st.warning("Choose a file, a path or a web address first.")
    if specs:
        with st.status("Reading the archive…", expanded=True) as status:
            line = st.empty()
            seen = {"n": 0, "t": 0.0}

            def tick(event: str, n: int) -> None:
                if event == "item":
                    seen["n"] += n
                    now = time.monotonic()
                    if now - seen["t"] > 0.3:
                        seen["t"] = now
                        line.text(f"{seen['n']:,} messages read")
                elif event.startswith("phase:"):
                    line.text(f"{seen['n']:,} messages read; now {event[6:]}…")

            try:
                rep = R.ingest_sources(specs, tick, list_name=list_name.strip() or None)
            except MinerError as e:
                status.update(label="The archive could not be added", state="error")
                st.error(str(e))
            else:
                status.update(label=f"Added {rep.added:,} messages", state="complete")
                st.session_state["ingest_report"] = rep.as_dict()

rep = st.session_state.get("ingest_report")
if rep:
    st.subheader("Last ingest report")
    c = st.columns(6)
    for col, (label, key) in zip(c, [("Seen", "messages_seen"), ("Added", "added"),
                                     ("Duplicates", "duplicates"), ("Repaired", "repaired"),
                                     ("Quarantined", "quarantined"), ("Threads", "threads")]):
        col.metric(label, f"{rep[key]:,}")
    if rep["per_source"]:
        st.dataframe(pd.DataFrame([{"source": k, **v} for k, v in rep["per_source"].items()]),
                     hide_index=True, width="stretch")
    if rep["errors"]:
        st.warning(f"{len(rep['errors'])} problem(s) while reading:")
        st.dataframe(pd.DataFrame(rep["errors"]), hide_index=True, width="stretch")

st.divider()
st.subheader("Run the analysis")
st.caption("Embeddings feed search; topics, problems, practices and experts build on them. Each "
           "stage only redoes what changed since its last run.")
if not R.has_workspace():
    st.stop()
avail = R.available_stages()
runs = R.stage_runs()
if avail:
    st.dataframe(pd.DataFrame([{
        "stage": s, "last run": runs[s].status if s in runs else "never",
        "finished": H.date(runs[s].finished, "%d %b %Y %H:%M") if s in runs and runs[s].finished
        else ""} for s in avail]),
        hide_index=True, width="stretch")
    chosen = st.multiselect("Stages to run", avail, default=avail)
    mode = R.ws().config["mode"]
    st.caption(f"Mode: **{mode}** (change it on the Settings page). Quality mode loads the "
               "MiniLM model and takes longer.")
    if st.button("Run the analysis", icon=":material/play_arrow:", disabled=not chosen):
        bar = st.progress(0.0, text="Starting…")

        def stage_tick(label: str, done: int, total: int) -> None:
            frac = min(done / total, 1.0) if total else 0.0
            bar.progress(frac, text=f"{label}: {done:,} of {total:,}" if total else label)

        try:
            out = R.run_stages(chosen, stage_tick)
        except MinerError as e:
            bar.empty()
            st.error(str(e))
        else:
            bar.progress(1.0, text="Done")
            for name, report in out["stages"].items():
                st.success(f"{name}: " + ", ".join(
                    f"{k} {v}" for k, v in report.items() if not isinstance(v, (list, dict))))
else:
    st.info("No analysis stages are installed in this version of miner.")
