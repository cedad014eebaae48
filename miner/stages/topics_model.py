"""The BERTopic model behind the topics stage: its parts, its labels and its quality figures.

Two configurations (``topics_mode``):

* ``fast``: PCA + MiniBatchKMeans (no outliers by construction; seconds on 20k messages);
* ``quality``: UMAP + HDBSCAN, then ``reduce_outliers`` by embeddings.

Both fit on precomputed message vectors. Labels come from c-TF-IDF over 1-2 grams (English and
multilingual stop words, list boilerplate and posters' names removed), refined with
MaximalMarginalRelevance, whose word vectors come from the workspace's own embedder through
:class:`FunctionEmbedder` (so nothing is ever downloaded). Heavy imports happen inside functions.
"""
from __future__ import annotations

import functools
import logging
import math
import re
from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise

import numpy as np

log = logging.getLogger(__name__)

# Short multilingual stop list (FR/ES/PT/DE/IT/NL) added to sklearn's English list.
MULTILINGUAL_STOP = frozenset("""
le la les un une des du de et est en que qui dans pour pas sur au aux ce cette ces avec par plus
ou nous vous ils elles je tu il elle son sa ses leur leurs mais comme ont été être avoir fait
el los las del y es por con para una unos unas su sus lo al como más pero sí muy ya este esta
o os da do das dos em um uma é não com para mais ao se na no nas nos foi ser são também
der die das und ist nicht ein eine zu den mit von auf für sich dem des im ich wir sie es auch
il lo gli di che per non una sono del della delle con
het een van en is dat op te niet zijn voor met
""".split())  # noqa: SIM905 (a word list reads best as text)

# Words of mail itself rather than of any topic: greetings, closings, archive furniture.
MAIL_BOILERPLATE = frozenset("""
hi hello dear thanks thank thx regards best cheers kind sincerely wishes greetings
wrote writes reply replied message messages mail email e-mail list mailing
http https www com org html htm pipermail mailman listinfo subscribe unsubscribe
attachment attached alternative version deleted help posting guide
please would like just know think also use using used one get got could really
nbsp amp quot lt gt html url link sent original forwarded wrote hope dear question questions
sorry thanks advance anyone somebody someone maybe perhaps something thing things
""".split())  # noqa: SIM905 (a word list reads best as text)

_TOKEN = re.compile(r"(?u)\b[^\W\d_][\w'-]*[^\W_]\b")
_NAME_TOKEN = re.compile(r"[^\W\d_]{3,}", re.UNICODE)

# Pre-cleaning of a message before c-TF-IDF (one pass per document, so the vectorizer only
# splits on spaces): code-like lines go; URLs, addresses and identifiers are no topic words.
# R code, console and printed output: assignments, calls to packages, prompts, tables aligned
# with runs of spaces ("estimate  se  zval  pval"), rules of dashes, significance stars.
# A line is code when any of the three matches (one alternation of all was 5x slower: sre scans
# fast only for a pattern whose branches all start with a literal).
_CODE_ANY = re.compile(r"<-|->|\{|\}|\$|;|=|~|\^|\||\t|::|---|\*\*")
_CODE_START = re.compile(r"\s*[>#+%\[\d]")
_TABLE = re.compile(r"\S {2,}\S+ {2,}\S")
_URL = re.compile(r"(?:https?://|ftp://|www\.)\S+")  # before the code test: URLs hold "="
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_STRIP = "\"'`.,;:!?()*«»“”‘’<>"
SEP = "|"  # stands where a token was dropped: no bigram spans it
MIN_CHARS = 3
MAX_CHARS = 4000  # read at most this much of a message (pasted logs are long)
MAX_TOKENS = 200  # per document: log dumps and long essays do not outweigh a topic
_SEP_RUN = re.compile(r"\|(?: \|)+")
_SENTENCE_END = frozenset(".!?;:")


class _TokenMemo(dict):
    """``raw token -> what it becomes`` ("word", "word |" at a sentence end, or :data:`SEP`),
    computed once per distinct token: a corpus has far fewer distinct tokens than tokens."""

    __slots__ = ("stop",)

    def __missing__(self, raw: str) -> str:
        t = raw.strip(_STRIP)
        if t.endswith(("'s", "’s")):
            t = t[:-2]
        if len(t) < MIN_CHARS:
            good = False
        elif t.isalpha():  # fast path; camelCase and digits are code
            good = t.islower() or t.isupper() or t[1:].islower()
        else:
            good = bool(_WORD.fullmatch(t)) and (t.isupper() or t[1:] == t[1:].lower())
        if good:
            t = t.lower()
            good = t not in self.stop
        out = (t + " " + SEP if raw[-1] in _SENTENCE_END else t) if good else SEP
        self[raw] = out
        return out


class Cleaner:
    """:func:`clean_doc` for many documents: each distinct token is classified once (a corpus
    has far fewer distinct tokens than tokens); 2.5x faster than token by token on 20k
    messages, the same output. (Scanning whole messages for code lines instead of line by
    line was measured too: faster on prose, slower on r-sig's R code.)"""

    def __init__(self, stop: Iterable[str]):
        self._memo = _TokenMemo()
        self._memo.stop = frozenset(stop)

    def __call__(self, text: str) -> str:
        get = self._memo.__getitem__
        parts: list[str] = []
        for line in _URL.sub(" ", (text or "")[:MAX_CHARS]).splitlines():
            if _CODE_ANY.search(line) or _CODE_START.match(line) or (
                    "  " in line and _TABLE.search(line)):
                if parts:  # a code line ends a phrase (a leading one leaves no mark)
                    parts.append(SEP)
                continue
            parts.extend(map(get, line.split()))
        doc = _SEP_RUN.sub(SEP, " ".join(parts))
        if doc.count(" ") >= MAX_TOKENS:
            doc = " ".join(doc.split(" ", MAX_TOKENS)[:MAX_TOKENS])
        if not doc:
            return SEP
        return doc if doc.endswith(SEP) else doc + " " + SEP  # no bigram across documents


def clean_doc(text: str, stop: Iterable[str]) -> str:
    """Lower-cased words of ``text`` separated by spaces, with :data:`SEP` where a stop word,
    a code-like token (digits, underscores, dots, camelCase, calls) or a code line was dropped.
    (Use one :class:`Cleaner` for many documents.)

    >>> clean_doc("We fit rma.mv(yi, vi) with res1. Dependent effect sizes!", {"we", "with"})
    '| fit | dependent effect sizes |'
    """
    return Cleaner(stop)(text)


def count_terms(docs: Sequence[str], min_df: int, max_share: float = 0.3):
    """Counts of the words and phrases (:func:`analyze`) of cleaned documents, in one pass:
    ``(counts, vocabulary)``, a CSR matrix (documents x terms) and ``{term: column}`` sorted by
    name. A term is kept when found in at least ``min_df`` documents and in at most
    ``max_share`` of them (a term of one long message is noise, not a topic's keyword); above
    :data:`MAX_FEATURES` terms, the most widespread are kept (ties by name).

    Written with numpy rather than sklearn's CountVectorizer: tokens are hashed once in C
    (pandas.factorize) and phrases are pairs of token codes, never built as strings until
    kept (measured 0.4 s vs 1.4 s for CountVectorizer on 20k messages).
    """
    import pandas as pd
    import scipy.sparse as sp

    n = len(docs)
    lengths = np.fromiter((d.count(" ") + 1 for d in docs), dtype=np.int64, count=n)
    codes, uniq = pd.factorize(np.array(" ".join(docs).split(" "), dtype=object))
    codes = codes.astype(np.int64)
    n_tok = len(uniq)
    doc_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
    sep = np.flatnonzero(uniq == SEP)
    sep_code = int(sep[0]) if len(sep) else -1
    word = codes != sep_code
    pair_ok = word[:-1] & word[1:]  # every document ends with SEP: no pair spans two
    pairs = codes[:-1][pair_ok] * n_tok + codes[1:][pair_ok]
    pair_uniq, pair_code = np.unique(pairs, return_inverse=True)
    term = np.concatenate([codes[word], n_tok + pair_code.ravel()])
    row = np.concatenate([doc_of[word], doc_of[:-1][pair_ok]])
    counts = sp.csr_matrix((np.ones(len(term), np.int64), (row, term)),
                           shape=(n, n_tok + len(pair_uniq)))
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    keep = np.flatnonzero((df >= min_df) & (df <= max_share * n))
    keep = keep[keep != sep_code] if sep_code >= 0 else keep

    def name(t: int) -> str:
        if t < n_tok:
            return uniq[t]
        a, b = divmod(int(pair_uniq[t - n_tok]), n_tok)
        return uniq[a] + " " + uniq[b]

    names = [name(int(t)) for t in keep]
    if len(keep) > MAX_FEATURES:  # keep the most widespread, ties by name (deterministic)
        best = sorted(range(len(keep)), key=lambda i: (-df[keep[i]], names[i]))[:MAX_FEATURES]
        keep, names = keep[best], [names[i] for i in best]
    order = sorted(range(len(keep)), key=names.__getitem__)
    counts = counts[:, keep[order]].tocsr()
    return counts, {names[i]: j for j, i in enumerate(order)}


def vocabulary(docs: Sequence[str], min_df: int, max_share: float = 0.3) -> dict[str, int]:
    """The vocabulary of :func:`count_terms`."""
    return count_terms(docs, min_df, max_share)[1]


def min_df_for(n_docs: int) -> int:
    return 2 if n_docs < 1000 else 5


def analyze(doc: str) -> list[str]:
    """Unigrams and bigrams of a :func:`clean_doc` string (no n-gram spans :data:`SEP`)."""
    toks = doc.split()
    return [t for t in toks if t != SEP] + [
        a + " " + b for a, b in pairwise(toks) if a != SEP and b != SEP]


def stop_words(extra: Iterable[str] = ()) -> list[str]:
    """sklearn's English list + :data:`MULTILINGUAL_STOP` + :data:`MAIL_BOILERPLATE` + ``extra``."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = set(ENGLISH_STOP_WORDS) | MULTILINGUAL_STOP | MAIL_BOILERPLATE
    words |= {w.lower() for w in extra if w}
    return sorted(words)


def boilerplate_words(footers: Iterable[str], names: Iterable[str],
                      lists: Iterable[str] = ()) -> set[str]:
    """Tokens of the lists' footers, posters' names and list names: never topic words."""
    out: set[str] = set()
    for text in list(footers) + list(lists):
        out |= {t.lower() for t in _TOKEN.findall(text or "")}
        out |= {t.lower() for t in re.split(r"[\W_]+", text or "") if len(t) > 1}
    for name in names:
        out |= {t.lower() for t in _NAME_TOKEN.findall(name or "")}
    return out


class FunctionEmbedder:
    """Adapts ``texts -> vectors`` to BERTopic's ``BaseEmbedder`` (built lazily: bertopic is
    heavy to import). BERTopic only embeds words with it (MMR); documents come precomputed."""

    def __new__(cls, fn: Callable[[list[str]], np.ndarray]):
        from bertopic.backend import BaseEmbedder

        class _Adapter(BaseEmbedder):
            def __init__(self, fn):
                super().__init__()
                self._fn = fn

            def embed(self, documents, verbose=False):
                return np.asarray(self._fn(list(documents)), dtype=np.float32)

        return _Adapter(fn)


DOC_END = "\x1e"  # ends each document given to BERTopic (whitespace to analyze())


def precounted_vectorizer(docs: Sequence[str], counts, vocab: dict[str, int]):
    """A CountVectorizer over ``vocab`` that knows the rows of ``counts`` (from
    :func:`count_terms`) for ``docs``. BERTopic counts each topic's documents joined with " ",
    then again a sample of them for representative documents; documents given to it end with
    :data:`DOC_END`, so a joined text splits back into known documents whose rows are summed
    instead of tokenised again (the result is the same; unknown text is analysed as usual).
    Measured on 20k messages: 3 s of re-counting inside BERTopic's fit became 0.1 s."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer

    class PrecountedVectorizer(CountVectorizer):
        def fit_transform(self, raw_documents, y=None):
            super().fit_transform([])  # validates the fixed vocabulary
            return self.transform(raw_documents)

        def transform(self, raw_documents):
            if isinstance(raw_documents, str):
                raise TypeError("transform takes a list of documents, not one string")
            known = getattr(self, "known_", {})
            rows: list[int] = []
            cols: list[int] = []
            rest: list[str] = []
            rest_rows: list[int] = []
            n = 0
            for i, doc in enumerate(raw_documents):
                n = i + 1
                for piece in doc.split(DOC_END):
                    piece = piece.lstrip(" ")
                    j = known.get(piece)
                    if j is not None:
                        rows.append(i)
                        cols.append(j)
                    elif piece:
                        rest.append(piece)
                        rest_rows.append(i)
            width = len(self.vocabulary_) if hasattr(self, "vocabulary_") else len(self.vocabulary)
            out = sp.csr_matrix((n, width), dtype=np.int64)
            if rows:
                pick = sp.csr_matrix((np.ones(len(rows), np.int64), (rows, cols)),
                                     shape=(n, self.counts_.shape[0]))
                out = out + pick @ self.counts_
            if rest:
                spread = sp.csr_matrix((np.ones(len(rest), np.int64),
                                        (rest_rows, np.arange(len(rest)))), shape=(n, len(rest)))
                out = out + spread @ super().transform(rest)
            out = sp.csr_matrix(out, dtype=np.int64)
            out.sort_indices()  # as CountVectorizer's: BERTopic's top-n breaks ties by position
            return out

    vec = PrecountedVectorizer(analyzer=analyze, vocabulary=vocab, lowercase=False)
    vec.known_ = {d: i for i, d in enumerate(docs)}
    vec.counts_ = counts.tocsr().astype(np.int64)
    return vec


@functools.lru_cache(maxsize=1)
def _bertopic_class():
    """BERTopic, with representative documents picked from the precounted rows.

    BERTopic samples 500 documents per topic, counts their words again and keeps the 3 whose
    c-TF-IDF is closest to the topic's (1.2 s of pandas and counting on 20k messages). With a
    :func:`precounted_vectorizer`, the same criterion runs over every member's known row as
    sparse products (0.05 s). Overrides BERTopic's private ``_save_representative_docs``:
    bertopic is pinned (==0.17.4) and the test suite checks ``representative_docs_``."""
    from bertopic import BERTopic
    from sklearn.preprocessing import normalize

    class MinerBERTopic(BERTopic):
        def _save_representative_docs(self, documents):
            known = getattr(self.vectorizer_model, "known_", None)
            rows = np.fromiter((known.get(d.rstrip(DOC_END), -1) if known else -1
                                for d in documents.Document), dtype=np.int64,
                               count=len(documents))
            if len(rows) == 0 or rows.min() < 0:
                return super()._save_representative_docs(documents)
            docs = documents.Document.tolist()
            topic_of = documents.Topic.to_numpy()
            ctfidf = normalize(self.ctfidf_model.transform(self.vectorizer_model.counts_[rows]))
            ref = normalize(self.c_tf_idf_)
            out = {}
            for index, topic in enumerate(sorted(self.topic_representations_)):
                members = np.flatnonzero(topic_of == topic)
                sim = np.asarray((ctfidf[members] @ ref[index].T).todense()).ravel()
                best = members[np.lexsort((members, -sim))[:3]]
                out[topic] = [docs[i].rstrip(DOC_END) for i in best]
            self.representative_docs_ = out

    return MinerBERTopic


MAX_FEATURES = 20_000  # vocabulary of c-TF-IDF (words and phrases, most frequent first)
TOP_N = 20  # c-TF-IDF candidates per topic that MMR re-ranks
N_INIT = 2  # MiniBatchKMeans restarts (fast mode)


def n_clusters_for(n_docs: int, min_size: int) -> int:
    """KMeans' k in fast mode: about sqrt(n/2), at most n/min_size, between 2 and 150."""
    k = round(math.sqrt(max(n_docs, 1) / 2))
    k = min(k, max(2, n_docs // max(min_size, 1)))
    return max(2, min(150, k, n_docs))


def build_model(mode: str, *, n_docs: int, dim: int, min_size: int, seed: int,
                embed_fn: Callable[[list[str]], np.ndarray],
                vocab: dict[str, int] | None = None, vectorizer=None):
    """A BERTopic instance for ``mode`` ("fast" or "quality"); parts are swappable
    (``vectorizer``: e.g. :func:`precounted_vectorizer`; else one over ``vocab``)."""
    from bertopic.representation import MaximalMarginalRelevance
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.feature_extraction.text import CountVectorizer

    if mode == "fast":
        from sklearn.cluster import MiniBatchKMeans
        from sklearn.decomposition import PCA

        reducer = PCA(n_components=max(2, min(48, dim, n_docs - 1)), random_state=seed,
                      svd_solver="randomized" if n_docs > 1000 else "full")
        k = n_clusters_for(n_docs, min_size)
        clusterer = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=N_INIT,
                                    batch_size=2048, max_no_improvement=10)
    elif mode == "quality":
        from hdbscan import HDBSCAN
        from umap import UMAP

        reducer = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                       random_state=seed, low_memory=True)
        clusterer = HDBSCAN(min_cluster_size=max(2, min_size), metric="euclidean",
                            cluster_selection_method="eom", prediction_data=True)
    else:  # validated by config already; kept for direct callers
        raise ValueError(f"topics mode must be 'fast' or 'quality', not {mode!r}")

    # Documents come pre-cleaned by clean_doc (stop words, code and URLs already gone), so the
    # vectorizer only splits on spaces. The vocabulary is counted over messages (see
    # vocabulary()); without one, BERTopic's fit on one document per topic picks it.
    if vectorizer is not None:
        pass
    elif vocab is not None:
        vectorizer = CountVectorizer(analyzer=analyze, vocabulary=vocab, lowercase=False)
    else:
        vectorizer = CountVectorizer(analyzer=analyze, min_df=1,
                                     max_df=0.9 if n_docs >= 200 else 1.0,
                                     max_features=MAX_FEATURES, lowercase=False)
    return _bertopic_class()(
        embedding_model=FunctionEmbedder(embed_fn),
        umap_model=reducer,
        hdbscan_model=clusterer,
        vectorizer_model=vectorizer,
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        # MMR re-ranks only each topic's TOP_N c-TF-IDF candidates (word vectors are cached)
        representation_model=MaximalMarginalRelevance(diversity=0.2, top_n_words=10),
        top_n_words=TOP_N,
        calculate_probabilities=False,
        verbose=False,
    )


def make_label(words: Sequence[str], n: int = 3, pool: int = 8) -> str:
    """``"effect sizes / multilevel model / dependent"``: ``n`` keywords joined by " / ",
    phrases first (a two-word phrase among the top ``pool`` keywords beats a lone word), none
    sharing a word with another (relaxed to "not contained in" when too few remain), shown in
    keyword rank order."""
    ranked = list(dict.fromkeys(w for w in words if w))

    def distinct(w: str, chosen: list[str]) -> bool:
        parts = w.split()
        return len(set(parts)) == len(parts) and not any(
            set(parts) & set(c.split()) for c in chosen)

    def not_within(w: str, chosen: list[str]) -> bool:
        parts = w.split()
        return len(set(parts)) == len(parts) and not any(
            w in c.split() or c in parts or w == c for c in chosen)

    chosen: list[str] = []
    for cands, test in ((ranked[:pool], lambda w, c: " " in w and distinct(w, c)),
                        (ranked, distinct), (ranked, not_within)):
        if test is not_within and len(chosen) >= 2:
            break
        for w in cands:
            if len(chosen) == n:
                break
            if w not in chosen and test(w, chosen):
                chosen.append(w)
    chosen.sort(key=ranked.index)
    return " / ".join(chosen)


# ---------------------------------------------------------------------------- quality figures

def topic_diversity(keywords: Sequence[Sequence[str]], top_n: int = 10) -> float:
    """Share of unique words among all topics' top ``top_n`` words (1.0 = no word repeats)."""
    words = [w for kw in keywords for w in list(kw)[:top_n]]
    return len(set(words)) / len(words) if words else 0.0


def npmi_coherence(keywords: Sequence[Sequence[str]], docs: Sequence[str],
                   top_n: int = 10, analyzer: Callable[[str], list[str]] | None = None) -> float:
    """Mean NPMI of keyword pairs over document co-occurrence in ``docs`` (Bouma 2009);
    a pair never seen together scores -1. Keywords may be bigrams (matched as phrases);
    ``analyzer`` tokenises ``docs`` the way the model did (e.g. :func:`analyze` over
    :func:`clean_doc` output)."""
    from sklearn.feature_extraction.text import CountVectorizer

    vocab = sorted({w for kw in keywords for w in list(kw)[:top_n]})
    if not vocab or not docs:
        return 0.0
    if analyzer is not None:
        cv = CountVectorizer(vocabulary=vocab, analyzer=analyzer, binary=True)
    else:
        cv = CountVectorizer(vocabulary=vocab, ngram_range=(1, 2), token_pattern=_TOKEN.pattern,
                             binary=True, lowercase=True)
    x = cv.transform(docs).tocsc().astype(np.float32)
    n = x.shape[0]
    idx = {w: i for i, w in enumerate(vocab)}
    df = np.asarray(x.sum(axis=0)).ravel()
    scores = []
    for kw in keywords:
        ws = [idx[w] for w in list(kw)[:top_n] if w in idx]
        if len(ws) < 2:
            continue
        sub = x[:, ws]
        co = (sub.T @ sub).toarray()
        vals = []
        for a in range(len(ws)):
            for b in range(a + 1, len(ws)):
                pa, pb, pab = df[ws[a]] / n, df[ws[b]] / n, co[a, b] / n
                if pab <= 0 or pa <= 0 or pb <= 0:
                    vals.append(-1.0)
                elif pab >= 1.0:
                    vals.append(1.0)
                else:
                    vals.append(math.log(pab / (pa * pb)) / -math.log(pab))
        scores.append(float(np.mean(vals)))
    return float(np.mean(scores)) if scores else 0.0


def align(prev: np.ndarray, new: np.ndarray, threshold: float) -> dict[int, int]:
    """Hungarian matching of new centroids (rows of ``new``) to previous ones by cosine;
    returns ``{new_row: prev_row}`` for pairs at or above ``threshold``."""
    if len(prev) == 0 or len(new) == 0:
        return {}
    from scipy.optimize import linear_sum_assignment

    sim = new @ prev.T
    rows, cols = linear_sum_assignment(-sim)
    return {int(r): int(c) for r, c in zip(rows, cols) if sim[r, c] >= threshold}
