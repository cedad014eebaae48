"""Acceptance: SemEval-2016 Task 3 train-part2, "same recurring problem" over the 670 pairs.

Both thresholds (miner's clustering cut, BM25's score cut) are tuned on the dev half (split by a
hash of the original question id); figures are printed for dev, test and all pairs."""
from __future__ import annotations

import json

import pytest

from . import semeval


@pytest.mark.slow
@pytest.mark.model
def test_miner_grouping_beats_bm25_on_semeval(corpora, tmp_path):
    from miner.stages.embeddings import embed_texts
    from miner.stages.questions import QuestionClassifier
    from miner.workspace import Workspace

    qs, pairs = semeval.load(corpora)
    assert len(pairs) == 670
    texts = semeval.question_texts(qs, QuestionClassifier.load())
    ws = Workspace.open(tmp_path / "ws", create=True, overrides={"embedding_model": "minilm"})
    ids = list(qs)
    vecs = embed_texts(ws, [texts[i] for i in ids])
    out = semeval.evaluate(qs, pairs, texts, dict(zip(ids, vecs)))
    print(json.dumps(out, indent=1))
    assert out["miner_all"]["F1"] > out["bm25_all"]["F1"]
