"""`import miner` and `miner --help` must not import any heavy model library."""
from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("torch", "sentence_transformers", "bertopic", "spacy", "umap", "hdbscan", "sklearn",
         "streamlit", "transformers", "model2vec")

PROBE = """
import json, sys, runpy
sys.argv = ["miner", "--help"]
import miner, miner.cli
try:
    miner.cli.main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in %r)))
""" % (HEAVY,)


def test_import_and_help_import_no_heavy_library():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded == [], f"heavy modules imported by `miner --help`: {loaded}"
    assert "ingest" in out.stdout and "search" in out.stdout and "summarize" in out.stdout
