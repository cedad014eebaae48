"""group() (exact top-k up to EXACT_MAX questions, candidate pairs beyond) takes the old dense
grouping's decisions (tests/problems/reference_group.py) wherever the exact hybrid top-k lies
within its candidates."""
from __future__ import annotations

import numpy as np
import pytest

from miner.stages import problems

from . import reference_group


def _fixture(n=400, topics=25, dim=32, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(topics, dim))
    words = [f"w{i}" for i in range(600)]
    topic = rng.integers(0, topics, n)
    v = (centres[topic] + rng.normal(scale=0.7, size=(n, dim))).astype(np.float32)
    texts = [" ".join(rng.choice(words[t * 20:t * 20 + 40], 8).tolist()
                      + rng.choice(words, 6).tolist()) for t in topic]
    return v, texts


@pytest.mark.parametrize("with_texts", [True, False])
@pytest.mark.parametrize("threshold", [0.3, 0.45])
def test_same_decisions_as_the_dense_grouping(with_texts, threshold):
    v, texts = _fixture()
    texts = texts if with_texts else None
    old = reference_group.group(v, threshold, texts)
    assert 20 < len(set(old)) < 300  # merges happened, and not into one group
    assert np.array_equal(problems.group(v, threshold, texts), old)  # exact top-k: this size
    assert np.array_equal(problems.group(v, threshold, texts, candidates=len(v), exact=0), old)
    # candidate pairs (as beyond EXACT_MAX questions): the exact top-k lies within them
    # here, so the same decisions
    fv, ft, fw = problems._features(v, texts, problems.SEMANTIC_WEIGHT)
    exact, _ = reference_group.neighbours(fv, ft, fw, problems.NEIGHBOURS)
    cand = problems._candidates(problems._search_space(fv, ft, fw), problems.CANDIDATES)
    both = {(i, int(j)) for i in range(len(v)) for j in cand[i]}
    both |= {(j, i) for i, j in both}
    assert all((i, int(j)) in both for i in range(len(v)) for j in exact[i])
    assert np.array_equal(problems.group(v, threshold, texts, exact=0), old)


def test_neighbours_match_the_exact_top_k_on_all_pairs():
    v, texts = _fixture(n=200)
    fv, ft, fw = problems._features(v, texts, problems.SEMANTIC_WEIGHT)
    i_old, s_old = reference_group.neighbours(fv, ft, fw, 10)
    i_new, s_new = problems.neighbours(fv, ft, fw, 10, candidates=199, exact=0)
    assert np.allclose(s_new, s_old, atol=1e-5)
    assert (i_new == i_old).mean() > 0.99  # ties may order differently


def test_hnswlib_candidates_recall(monkeypatch):
    v, _ = _fixture(n=600)
    fv = v / np.linalg.norm(v, axis=1, keepdims=True)
    exact = problems._candidates(fv, 20)
    monkeypatch.setattr(problems, "ANN_MIN", 0)
    ann = problems._candidates(fv, 20)
    assert ann.shape == exact.shape and not (ann == np.arange(600)[:, None]).any()
    recall = np.mean([len(set(a) & set(e)) / 20 for a, e in zip(ann.tolist(), exact.tolist())])
    assert recall > 0.95
    assert len(set(problems.group(v, 0.3, exact=0))) < 500
