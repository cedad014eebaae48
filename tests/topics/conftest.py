"""A small synthetic workspace for topics tests: three themes with their own vocabulary,
messages written straight into the store, vectors from the hashing fake."""
from __future__ import annotations

import random

import pytest

THEMES = {
    "effect": "effect sizes multilevel model dependent correlated estimates cluster robust "  # noqa: SIM905
              "variance studies nested random effects".split(),
    "bias": "publication bias funnel plot egger test trim fill asymmetry small study "  # noqa: SIM905
            "selection".split(),
    "install": "install package error compile version windows library update cran "  # noqa: SIM905
               "dependency binary".split(),
}


def add_messages(ws, n_per_theme: int = 30, *, seed: int = 0, start: int = 0,
                 themes=THEMES) -> list[str]:
    rng = random.Random(seed)
    keys = []
    rows = []
    i = start
    for name, vocab in themes.items():
        for j in range(n_per_theme):
            words = rng.choices(vocab, k=12)
            key = f"<m{i}@x>"
            thread = f"t{name}{j // 3}"
            month = 1 + (j % 12)
            rows.append((key, key.strip("<>"), "demo-list", f"about {name}", " ".join(words),
                         f"2020-{month:02d}-01T00:00:00+00:00", thread, 1 + j % 7))
            keys.append(key)
            i += 1
    rows.append((f"<short{start}@x>", f"short{start}@x", "demo-list", "thanks", "Thanks!",
                 "2020-05-05T00:00:00+00:00", "teffect0", 2))
    keys.append(f"<short{start}@x>")
    ws.db.executemany(
        "INSERT INTO messages(key, message_id, list, subject, text, date, thread_id, person_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    ws.db.commit()
    return keys


def fake_vectors(ws, emb):
    rows = ws.db.execute("SELECT key, text FROM messages ORDER BY id").fetchall()
    return [r[0] for r in rows], emb.encode([r[1] for r in rows])


@pytest.fixture
def emb():
    from miner.nlp.embedders import HashingEmbedder

    return HashingEmbedder(dim=64)


@pytest.fixture
def ws(tmp_path):
    from miner.workspace import Workspace

    w = Workspace.open(tmp_path / "ws", create=True, overrides={"topics_min_size": 5})
    add_messages(w)
    yield w
    w.close()


def run_topics(ws, emb, mode="fast"):
    from miner.stages import topics

    return topics.run(ws, None, vectors=fake_vectors(ws, emb),
                      embed_fn=lambda texts: emb.encode(list(texts)), mode=mode)
