"""Sentences of the responses: splitting, vectors, clusters (themes), labels and MMR selection.

Everything here is extractive: a :class:`Sentence` is a span of a message's new text and
keeps its offsets, so what is shown can always be found again where it came from.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np

from miner.nlp.sentences import split_spans

log = logging.getLogger(__name__)

_WS = re.compile(r"\s+")
_URL = re.compile(r"https?://\S+|www\.\S+", re.I)
_GREETING = re.compile(
    r"^(?:dear|hi|hello|hey|greetings|good (?:morning|afternoon|evening)|bonjour|chers?|"
    r"ch[eè]res?|estimad[oa]s?|querid[oa]s?|hola|buenos d[ií]as|thanks?|thank you|many thanks|"
    r"best|kind regards|regards|cheers|cordialement|saludos|merci|gracias|sincerely|"
    r"warm regards|best wishes|all the best)\b[^.!?]{0,40}[,.!:]?$", re.I)
_FACILITATOR = re.compile(r"\b(?:thank(?:s| you) (?:for|to) (?:your|all|everyone)|"
                          r"looking forward to|reminder|deadline)\b", re.I)

MIN_WORDS = 6
MAX_WORDS = 80


@dataclass(frozen=True, slots=True)
class Sentence:
    """``message.text[start:end]``, with its position in the discussion."""

    message_id: str
    start: int
    end: int
    text: str  # whitespace-normalised, one line
    index: int  # position of the sentence in its message
    msg_index: int  # position of the message in the discussion


def flat(s: str) -> str:
    return _WS.sub(" ", s).strip()


def sentences(message_id: str, text: str, msg_index: int = 0) -> list[Sentence]:
    return [Sentence(message_id, a, b, flat(text[a:b]), i, msg_index)
            for i, (a, b) in enumerate(split_spans(text))]


def is_content(s: str) -> bool:
    """Worth showing as a point: enough words, mostly letters, not a greeting or sign-off."""
    words = s.split()
    if not (MIN_WORDS <= len(words) <= MAX_WORDS):
        return False
    if _GREETING.match(s):
        return False
    nospace = s.replace(" ", "")
    letters = sum(c.isalpha() for c in nospace)
    return letters >= 0.6 * len(nospace) or bool(_URL.search(s))


# --------------------------------------------------------------------------- vectors

def tfidf_vectors(texts: list[str]) -> np.ndarray:
    """L2-normalised TF-IDF rows (the fallback when no sentence embedder is available)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    try:
        X = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    except ValueError:  # only stop words
        X = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    return np.asarray(X.todense(), dtype=np.float32)


def vectors(ws, texts: list[str], notes: list[str]) -> np.ndarray:
    """Sentence embeddings from the embeddings stage's model (cached by content hash), or
    TF-IDF vectors with a note saying so when the model cannot be loaded."""
    try:
        from miner.stages.embeddings import embed_texts

        return np.asarray(embed_texts(ws, texts), dtype=np.float32)
    except Exception as e:  # noqa: BLE001 - any failure of the optional model degrades
        log.info("sentence embeddings unavailable (%s); using TF-IDF", e)
        notes.append(f"Sentence embeddings were not available ({type(e).__name__}: "
                     f"{str(e)[:120]}); themes were grouped by word overlap (TF-IDF) instead.")
        return tfidf_vectors(texts)


# --------------------------------------------------------------------------- selection

def mmr(X: np.ndarray, relevance: np.ndarray, k: int, lam: float = 0.7,
        penalty: np.ndarray | None = None, redundancy: float = 0.92) -> list[int]:
    """Maximal marginal relevance: ``k`` row indices trading relevance for novelty.

    Rows closer than ``redundancy`` (cosine) to a chosen one are never chosen."""
    chosen: list[int] = []
    n = len(relevance)
    if n == 0 or k <= 0:
        return chosen
    sims = X @ X.T if len(X) else np.zeros((n, n))
    rel = relevance - (penalty if penalty is not None else 0)
    maxsim = np.full(n, -np.inf)
    avail = np.ones(n, dtype=bool)
    while len(chosen) < k and avail.any():
        red = np.where(np.isfinite(maxsim), maxsim, 0.0)
        score = lam * rel - (1 - lam) * red
        score[~avail] = -np.inf
        i = int(np.argmax(score))
        chosen.append(i)
        avail[i] = False
        maxsim = np.maximum(maxsim, sims[i])
        avail &= maxsim < redundancy
    return chosen


def n_clusters(n: int) -> int:
    return int(min(7, max(1, round(np.sqrt(n / 3)))))


def cluster(X: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """Cluster labels of unit rows (k-means on the sphere, deterministic)."""
    if len(X) <= k or k <= 1:
        return np.zeros(len(X), dtype=int) if k <= 1 else np.arange(len(X))
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(X)


_LABEL_STOP = {"also", "would", "could", "one", "us", "like", "many", "much", "well", "get",
               "make", "made", "use", "used", "need", "think", "way", "really", "just", "new",
               "good", "first", "time", "year", "years", "people", "thing", "things", "lot",
               "dear", "colleagues", "regards", "best", "thanks", "thank", "www", "http", "https",
               "org", "com", "net", "pdf", "html", "example",
               # French and Spanish function words (the English list is sklearn's)
               "les", "des", "une", "dans", "pour", "par", "sur", "avec", "est", "sont", "qui",
               "que", "pas", "plus", "nous", "vous", "leur", "leurs", "aux", "ont", "été", "cette",
               "ces", "mais", "ils", "elles", "son", "ses", "comme", "aussi", "tout", "très",
               "los", "las", "del", "por", "para", "con", "una", "uno", "que", "como", "más",
               "pero", "sus", "fue", "son", "está", "este", "esta", "estos", "nuestro",
               "nuestra", "cuando", "también", "sin", "sobre", "entre", "hay", "muy"}


def labels(texts: list[str], assign: np.ndarray, k: int, terms: int = 3) -> list[str]:
    """A short label per cluster: its most distinctive terms (class-based TF-IDF)."""
    from sklearn.feature_extraction.text import CountVectorizer

    docs = [" ".join(t for t, a in zip(texts, assign) if a == c) for c in range(k)]
    try:
        cv = CountVectorizer(stop_words="english", ngram_range=(1, 2), min_df=1,
                             token_pattern=r"(?u)\b[^\W\d_][\w-]{2,}\b")
        C = cv.fit_transform(docs).toarray().astype(float)
    except ValueError:
        return [f"Theme {c + 1}" for c in range(k)]
    vocab = cv.get_feature_names_out()
    tf = C / np.maximum(C.sum(axis=1, keepdims=True), 1)
    idf = np.log(1 + C.sum() / np.maximum(C.sum(axis=0), 1))
    score = tf * idf
    out = []
    for c in range(k):
        order = np.argsort(-score[c])
        picked: list[str] = []
        for j in order:
            if score[c, j] <= 0 or len(picked) >= terms:
                break
            term = vocab[j]
            words = term.split()
            if any(w in _LABEL_STOP for w in words) or C[c, j] < 2:
                continue
            if any(term in p or p in term for p in picked):
                continue
            picked.append(term)
        out.append(", ".join(picked).capitalize() if picked else f"Theme {c + 1}")
    return out
