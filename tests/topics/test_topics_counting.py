"""The fast paths of the topics model give what the plain ones give: the memoised cleaner,
one-pass term counting and the vectorizer that reuses counts inside BERTopic."""
from __future__ import annotations

import numpy as np

from miner.stages import topics_model as tm

TEXTS = [
    "We fit a multilevel model with rma.mv(yi, vi). Dependent effect sizes!",
    "> res <- rma(yi, vi)\nFunnel plot asymmetry and publication bias; Egger's test.",
    "Funnel plot of the studies: publication bias again. Egger test too",
    "        estimate       se    zval   pval\nDependent effect sizes in a multilevel model.",
    "McDonald's iPhone café: réunion à Genève, cross-compile the PACKAGE on Windows.",
    "",
    "Thanks!",
] * 3


def _reference_clean(text: str, stop: frozenset[str]) -> str:
    """clean_doc token by token, as written before the memoised Cleaner."""
    out: list[str] = []
    code = (tm._CODE_ANY, tm._CODE_START, tm._TABLE)
    for line in tm._URL.sub(" ", text[:tm.MAX_CHARS]).splitlines():
        if code[0].search(line) or code[1].match(line) or code[2].search(line):
            if out and out[-1] != tm.SEP:
                out.append(tm.SEP)
            continue
        for raw in line.split():
            t = raw.strip(tm._STRIP)
            if t.endswith(("'s", "’s")):
                t = t[:-2]
            if len(t) < tm.MIN_CHARS:
                good = False
            elif t.isalpha():
                good = t.islower() or t.isupper() or t[1:].islower()
            else:
                good = bool(tm._WORD.fullmatch(t)) and (t.isupper() or t[1:] == t[1:].lower())
            if good:
                t = t.lower()
                good = t not in stop
            if good:
                out.append(t)
            elif not out or out[-1] != tm.SEP:
                out.append(tm.SEP)
            if raw[-1] in ".!?;:" and out[-1] != tm.SEP:
                out.append(tm.SEP)
        if len(out) >= tm.MAX_TOKENS:
            del out[tm.MAX_TOKENS:]
            break
    if not out or out[-1] != tm.SEP:
        out.append(tm.SEP)
    return " ".join(out)


def test_cleaner_gives_what_token_by_token_cleaning_gives():
    stop = frozenset(tm.stop_words())
    clean = tm.Cleaner(stop)
    long = " ".join(f"word{'abcdefghij'[i % 10]}x." for i in range(400))
    for text in [*TEXTS, long, "x " * 500 + "effect sizes"]:
        assert clean(text) == _reference_clean(text, stop) == tm.clean_doc(text, stop)
    assert clean(long).count(" ") == tm.MAX_TOKENS - 1  # truncated, SEPs included


def test_count_terms_matches_a_count_vectorizer_over_analyze():
    from sklearn.feature_extraction.text import CountVectorizer

    clean = tm.Cleaner(tm.stop_words())
    docs = [clean(t) for t in TEXTS]
    counts, vocab = tm.count_terms(docs, min_df=2, max_share=0.5)
    assert list(vocab) == sorted(vocab) and "effect sizes" in vocab and "|" not in vocab
    full = CountVectorizer(analyzer=tm.analyze, lowercase=False).fit_transform(docs)
    df = np.asarray((full > 0).sum(axis=0)).ravel()
    assert set(vocab) == {w for w, i in CountVectorizer(analyzer=tm.analyze, lowercase=False)
                          .fit(docs).vocabulary_.items() if 2 <= df[i] <= 0.5 * len(docs)}
    ref = CountVectorizer(analyzer=tm.analyze, vocabulary=vocab, lowercase=False).transform(docs)
    assert (counts != ref).nnz == 0


def test_precounted_vectorizer_counts_joined_and_unknown_documents_alike():
    from sklearn.feature_extraction.text import CountVectorizer

    clean = tm.Cleaner(tm.stop_words())
    docs = [clean(t) for t in TEXTS]
    counts, vocab = tm.count_terms(docs, min_df=1)
    vec = tm.precounted_vectorizer(docs, counts, vocab)
    ref = CountVectorizer(analyzer=tm.analyze, vocabulary=vocab, lowercase=False)
    marked = [d + tm.DOC_END for d in docs]
    joined = [" ".join(marked[:4]), " ".join(marked[4:]), "funnel plot egger test |"]
    plain = [" ".join(docs[:4]), " ".join(docs[4:]), "funnel plot egger test |"]
    assert (vec.fit_transform(joined) != ref.fit_transform(plain)).nnz == 0
    assert vec.transform(joined).sum() > 0 and vec.get_feature_names_out().tolist() == sorted(vocab)


def test_representative_documents_are_bertopics_choice_from_the_counted_rows(ws, emb):
    """MinerBERTopic picks them over every member (BERTopic samples 500 a topic: all of them
    here), by the same c-TF-IDF cosine; the saved ids and labels do not depend on them."""
    import pandas as pd
    from bertopic import BERTopic

    rows = ws.db.execute("SELECT text FROM messages WHERE length(text) > 20").fetchall()
    clean = tm.Cleaner(tm.stop_words())
    docs = [clean(r[0]) for r in rows]
    counts, vocab = tm.count_terms(docs, min_df=2)
    vec = tm.precounted_vectorizer(docs, counts, vocab)
    x = emb.encode([r[0] for r in rows])
    model = tm.build_model("fast", n_docs=len(docs), dim=x.shape[1], min_size=5, seed=0,
                           embed_fn=emb.encode, vectorizer=vec)
    marked = [d + tm.DOC_END for d in docs]
    assigned, _ = model.fit_transform(marked, embeddings=x)
    mine = model.representative_docs_
    assert set(mine) == set(assigned) and all(len(v) == 3 for v in mine.values())
    assert not any(tm.DOC_END in d for v in mine.values() for d in v)
    frame = pd.DataFrame({"Document": marked, "ID": range(len(docs)), "Topic": assigned,
                          "Image": None})
    BERTopic._save_representative_docs(model, frame)
    theirs = {t: [d.rstrip(tm.DOC_END) for d in v] for t, v in model.representative_docs_.items()}
    assert {t: set(v) for t, v in mine.items()} == {t: set(v) for t, v in theirs.items()}


def test_stop_lists_hold_only_words():
    words = tm.stop_words()
    assert {"the", "thanks", "les", "und"} <= set(words)
    assert all(w.replace("-", "").isalpha() for w in words), [w for w in words if not w.isalpha()]
    assert "word" not in words and "model" not in words
