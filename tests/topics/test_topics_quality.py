"""Acceptance: fast-mode topics on r-sig-meta-analysis (static model): run time after
embeddings, number of topics, outlier share, topic diversity and NPMI coherence printed with the
15 largest topics and their labels; two runs give the same ids and labels.

Run: pytest -m slow -s tests/topics/test_topics_quality.py (the workspace is cached in
$MINER_TEST_CACHE, default /tmp/miner-tests, by tests/problems/asked_before.py, which
tests/problems/test_asked_before.py uses too)."""
from __future__ import annotations

import pytest

from tests.problems.asked_before import rsig_workspace


@pytest.fixture(scope="module")
def rsig(corpora):
    ws = rsig_workspace(corpora)
    yield ws
    ws.close()


@pytest.mark.slow
def test_fast_topics_quality_and_determinism(rsig):
    from miner.stages import topics

    first = topics.run(rsig, None, mode="fast")
    q = topics.quality_figures(rsig)
    ts = topics.list_topics(rsig)
    snap = sorted((t.topic_id, t.label, t.size) for t in ts)
    print(f"\nfast topics on r-sig-meta-analysis: {first['seconds_after_embeddings']} s after "
          f"embeddings ({first['cpu_seconds_after_embeddings']} s CPU), {first['topics']} topics, "
          f"outlier share {first['outlier_share']}, diversity {q['diversity']}, "
          f"NPMI {q['npmi']}")
    for t in sorted(ts, key=lambda t: -t.size)[:15]:
        print(f"  {t.topic_id:>4}  {t.size:>5}  {t.label}")
    second = topics.run(rsig, None, mode="fast")
    again = sorted((t.topic_id, t.label, t.size) for t in topics.list_topics(rsig))
    print(f"second run: {second['seconds_after_embeddings']} s, new ids {second['new_ids']}")
    assert again == snap and second["new_ids"] == 0
    assert first["topics"] >= 10 and first["outlier_share"] < 0.5
    assert 0 < q["diversity"] <= 1 and -1 <= q["npmi"] <= 1
