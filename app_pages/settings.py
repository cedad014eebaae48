"""Settings: the workspace, fast or quality analysis, and pseudonymisation."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages import render as H
from app_pages import exports as X
from app_pages import resources as R
from miner.errors import MinerError

st.title("Settings")
st.caption("Which archive workspace the app shows, how thorough the analysis is, and whether "
           "people's names and addresses are hidden.")

st.subheader("Workspace", anchor=False)
c1, c2 = st.columns([4, 1])
new_path = c1.text_input("Workspace folder", value=R.workspace_path(),
                         help="A folder made by 'miner ingest' or 'miner demo'.")
if c2.button("Open", icon=":material/folder_open:") and new_path.strip():
    from miner.workspace import DB_NAME

    if (Path(new_path).expanduser() / DB_NAME).exists():
        R.switch_workspace(new_path.strip())
        st.rerun()
    else:
        st.error(f"There is no miner workspace in {H.md(new_path)}. Create it by adding an "
                 "archive on the Ingest page (it then uses this folder).")
        R.switch_workspace(new_path.strip())
if not R.has_workspace():
    st.info("This folder has no workspace yet: add an archive on the **Ingest** page.")
    st.stop()

w = R.ws()
st.subheader("Privacy", anchor=False)
on = st.toggle("Pseudonymise names and addresses", value=R.pseudonymise_on(),
               help="Shows and exports 'Person 17' and person17@example.invalid instead of real "
                    "names and addresses, consistently across pages. Organisations and "
                    "countries are kept.")
if on != R.pseudonymise_on():
    st.session_state["pseudonymise"] = on
    try:
        R.save_setting("pseudonymise", on)
    except MinerError as e:
        st.error(str(e))
    st.rerun()
st.download_button("Download every message, pseudonymised (CSV)",
                   lambda w=w: X.pseudonymised_csv(w),
                   file_name="messages-pseudonymised.csv", mime="text/csv",
                   icon=":material/download:",
                   help="All messages with names and addresses replaced, for sharing outside.")

st.subheader("Analysis", anchor=False)
modes = ["fast", "quality"]
mode = st.radio("Mode", modes, index=modes.index(w.config["mode"]), horizontal=True,
                help="fast: a small static model and quick topic clustering (minutes on a big "
                     "archive). quality: the MiniLM model and finer topics (slower).")
if mode != w.config["mode"]:
    try:
        R.save_setting("mode", mode)
        st.success(f"Mode set to {mode}. Rerun the analysis on the Ingest page to apply it.")
    except MinerError as e:
        st.error(str(e))

with st.expander("All settings (miner.toml)", icon=":material/tune:"):
    from miner.config import SETTINGS

    st.dataframe(pd.DataFrame([{"setting": s.name, "value": str(w.config[s.name]),
                                "default": str(s.default), "help": s.help} for s in SETTINGS]),
                 hide_index=True, width="stretch")
    st.caption(f"Edit {H.md(str(Path(w.path) / 'miner.toml'))} to change the others.")
