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

import logging
import math
import re
from typing import Callable, Iterable, Sequence

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
""".split())

# Words of mail itself rather than of any topic: greetings, closings, archive furniture.
MAIL_BOILERPLATE = frozenset("""
hi hello dear thanks thank thx regards best cheers kind sincerely wishes greetings
wrote writes reply replied message messages mail email e-mail list mailing
http https www com org html htm pipermail mailman listinfo subscribe unsubscribe
attachment attached alternative version deleted help posting guide
please would like just know think also use using used one get got could really
nbsp amp quot lt gt html url link sent original forwarded wrote hope dear question questions
sorry thanks advance anyone somebody someone maybe perhaps something thing things
""".split())

_TOKEN = re.compile(r"(?u)\b[^\W\d_][\w'-]*[^\W_]\b")
_NAME_TOKEN = re.compile(r"[^\W\d_]{3,}", re.UNICODE)

# Pre-cleaning of a message before c-TF-IDF (one pass per document, so the vectorizer only
# splits on spaces): code-like lines go; URLs, addresses and identifiers are no topic words.
# R code, console and printed output: assignments, calls to packages, prompts, tables aligned
# with runs of spaces ("estimate  se  zval  pval"), rules of dashes, significance stars.
_CODE_LINE = re.compile(r"<-|->|[{}$;=~^|]|::|^\s*[>#+%\[]|^\s*\d|\t|\S {2,}\S+ {2,}\S|---|\*\*")
_URL = re.compile(r"(?:https?://|ftp://|www\.)\S+")  # before the code test: URLs hold "="
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_STRIP = "\"'`.,;:!?()*«»“”‘’<>"
SEP = "|"  # stands where a token was dropped: no bigram spans it
MIN_CHARS = 3
MAX_CHARS = 4000  # read at most this much of a message (pasted logs are long)
MAX_TOKENS = 200  # per document: log dumps and long essays do not outweigh a topic


def clean_doc(text: str, stop: frozenset[str] | set[str]) -> str:
    """Lower-cased words of ``text`` separated by spaces, with :data:`SEP` where a stop word,
    a code-like token (digits, underscores, dots, camelCase, calls) or a code line was dropped.

    >>> clean_doc("We fit rma.mv(yi, vi) with res1. Dependent effect sizes!", {"we", "with"})
    '| fit | dependent effect sizes |'
    """
    out: list[str] = []
    append = out.append
    for line in _URL.sub(" ", (text or "")[:MAX_CHARS]).splitlines():
        if _CODE_LINE.search(line):
            if out and out[-1] != SEP:
                append(SEP)
            continue
        for raw in line.split():
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
                good = t not in stop
            if good:
                append(t)
            elif not out or out[-1] != SEP:
                append(SEP)
            if raw[-1] in ".!?;:" and out[-1] != SEP:  # no bigram across sentences
                append(SEP)
        if len(out) >= MAX_TOKENS:
            del out[MAX_TOKENS:]
            break
    if not out or out[-1] != SEP:
        out.append(SEP)  # BERTopic joins a topic's documents: no bigram across them
    return " ".join(out)


def vocabulary(docs: Sequence[str], min_df: int, max_share: float = 0.3) -> dict[str, int]:
    """Words and phrases found in at least ``min_df`` cleaned documents and in at most
    ``max_share`` of them: a term of one long message is noise, not a topic's keyword."""
    from collections import Counter

    df: Counter = Counter()
    for d in docs:
        df.update(set(analyze(d)))
    top = max_share * len(docs)
    terms = sorted(t for t, c in df.items() if min_df <= c <= top)
    if len(terms) > MAX_FEATURES:  # keep the most frequent, ties by name (deterministic)
        terms = sorted(sorted(terms, key=lambda t: (-df[t], t))[:MAX_FEATURES])
    return {t: i for i, t in enumerate(terms)}


def min_df_for(n_docs: int) -> int:
    return 2 if n_docs < 1000 else 5


def analyze(doc: str) -> list[str]:
    """Unigrams and bigrams of a :func:`clean_doc` string (no n-gram spans :data:`SEP`)."""
    toks = doc.split()
    return [t for t in toks if t != SEP] + [
        a + " " + b for a, b in zip(toks, toks[1:]) if a != SEP and b != SEP]


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


MAX_FEATURES = 20_000  # vocabulary of c-TF-IDF (words and phrases, most frequent first)
TOP_N = 20  # c-TF-IDF candidates per topic that MMR re-ranks
N_INIT = 2  # MiniBatchKMeans restarts (fast mode)


def n_clusters_for(n_docs: int, min_size: int) -> int:
    """KMeans' k in fast mode: about sqrt(n/2), at most n/min_size, between 2 and 150."""
    k = int(round(math.sqrt(max(n_docs, 1) / 2)))
    k = min(k, max(2, n_docs // max(min_size, 1)))
    return max(2, min(150, k, n_docs))


def build_model(mode: str, *, n_docs: int, dim: int, min_size: int, seed: int,
                embed_fn: Callable[[list[str]], np.ndarray],
                vocab: dict[str, int] | None = None):
    """A BERTopic instance for ``mode`` ("fast" or "quality"); parts are swappable."""
    from bertopic import BERTopic
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
    if vocab is not None:
        vectorizer = CountVectorizer(analyzer=analyze, vocabulary=vocab, lowercase=False)
    else:
        vectorizer = CountVectorizer(analyzer=analyze, min_df=1,
                                     max_df=0.9 if n_docs >= 200 else 1.0,
                                     max_features=MAX_FEATURES, lowercase=False)
    return BERTopic(
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
