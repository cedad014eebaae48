"""miner's app: explore a mailing-list archive, search it, read a discussion and draft its
consolidated reply, without the command line.

    streamlit run app.py -- --workspace DIR      (or: miner app / miner demo)

The workspace comes from ``--workspace`` after ``--``, else ``$MINER_WORKSPACE``, else
``./miner-workspace``. This file only routes: every page lives in ``app_pages/``.
"""
from __future__ import annotations

import streamlit as st

from app_pages import resources as R

st.set_page_config(page_title="miner", page_icon=":material/forum:", layout="wide")

PAGES = {
    "Explore": [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:",
                default=True),
        st.Page("app_pages/search.py", title="Search", icon=":material/search:"),
        st.Page("app_pages/discussion.py", title="Discussion", icon=":material/forum:"),
    ],
    "Analysis": [
        st.Page("app_pages/topics.py", title="Topics", icon=":material/category:"),
        st.Page("app_pages/problems.py", title="Problems", icon=":material/help:"),
        st.Page("app_pages/practices.py", title="Practices", icon=":material/lightbulb:"),
        st.Page("app_pages/experts.py", title="Experts", icon=":material/groups:"),
    ],
    "Workspace": [
        st.Page("app_pages/ingest.py", title="Ingest", icon=":material/upload_file:"),
        st.Page("app_pages/settings.py", title="Settings", icon=":material/settings:"),
    ],
}

page = st.navigation(PAGES)
with st.sidebar:
    st.caption("Workspace")
    st.code(R.workspace_path(), language=None)
    if R.pseudonymise_on():
        st.caption(":material/visibility_off: Names and addresses are pseudonymised.")
page.run()
