"""The sentence classifier of the practices stage: one logistic regression over three blocks of
features stacked side by side: TF-IDF word uni- and bigrams (the cue phrases), a sentence
embedding (the meaning), and the rule features of :mod:`miner.stages.practice_rules` (weak
signals). The decision is the most probable label after scaling the "none" probability by a
factor that, like ``C``, was chosen by repeated cross-validation on the training three
quarters only. Saved as JSON (never pickle).

scikit-learn shape: ``__init__`` stores parameters, ``fit`` returns ``self``, learned state ends
in ``_``. The embedder is a constructor argument so tests pass a fake.

    >>> from miner.nlp.embedders import HashingEmbedder
    >>> clf = PracticeClassifier(embedder=HashingEmbedder(dim=32))   # doctest: +SKIP
    >>> clf.fit(texts, labels).predict(["I would recommend the metafor package."])  # doctest: +SKIP
"""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np

from miner.errors import StageError
from miner.stages.practice_rules import KINDS, LABELS, N_RULE_FEATURES, flat, rule_features

log = logging.getLogger(__name__)

MODEL_FILE = "practices_classifier.json"
LABELS_FILE = "labels/practices.jsonl"
RULE_WEIGHT = 0.5  # scale of the rule block next to the unit-norm TF-IDF and embedding rows
FORMAT = "miner.practices.logreg.v2"
MODEL_EMBEDDER = "all-MiniLM-L6-v2"  # the embedder the shipped model was fitted with


def models_dir() -> Path:
    """``models/`` of the project (next to the ``miner`` package)."""
    return Path(__file__).resolve().parent.parent.parent / "models"


def heldout(text: str) -> bool:
    """The fixed held-out quarter of the labels: decided by the hash of the sentence text."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % 4 == 0


def load_labels(path: Path | None = None) -> list[dict]:
    """The hand labels (see ``models/labels/PRACTICES_GUIDE.md``)."""
    p = path or models_dir() / LABELS_FILE
    if not p.exists():
        raise StageError(f"no practice labels at {p}; they ship with the repository")
    return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


class NotFittedError(StageError):
    """The classifier was used before ``fit`` or ``load``."""


class PracticeClassifier:
    """Multinomial logistic regression over ``[tf-idf, embedding, RULE_WEIGHT * rules]``.

    ``none_scale`` multiplies the probability of "none" before the argmax (below 1 favours
    recall of the kinds)."""

    def __init__(self, embedder=None, *, C: float = 2.0, none_scale: float = 1.0, cv: int = 5,
                 seed: int = 42) -> None:
        self.embedder = embedder
        self.C = C
        self.none_scale = none_scale
        self.cv = cv
        self.seed = seed

    # -- features ---------------------------------------------------------------------------
    def _embed(self, texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        if vectors is not None:
            return np.asarray(vectors, dtype=np.float32)
        if self.embedder is None:
            from miner.nlp.embedders import MINILM_NAME, STATIC_NAME, load_embedder

            name = getattr(self, "embedder_name_", MINILM_NAME)
            self.embedder = load_embedder({MINILM_NAME: "minilm", STATIC_NAME: "static"}.get(
                name, name))
        return self.embedder.encode([flat(t) for t in texts])

    def _tfidf(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                               lowercase=True, dtype=np.float32)

    def features(self, texts: list[str], vectors: np.ndarray | None = None):
        """The sparse feature matrix (the TF-IDF part needs ``vocab_``: fit or load first)."""
        from scipy import sparse

        emb = self._embed(texts, vectors)
        rules = (np.vstack([rule_features(t) for t in texts]) if texts
                 else np.zeros((0, N_RULE_FEATURES), np.float32))
        tf = self.tfidf_.transform([flat(t) for t in texts])
        return sparse.hstack([tf, sparse.csr_matrix(emb), sparse.csr_matrix(
            RULE_WEIGHT * rules)]).tocsr()

    # -- fitting ----------------------------------------------------------------------------
    def _model(self):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced")

    def fit(self, texts: list[str], labels: list[str], vectors: np.ndarray | None = None):
        """Fit on labelled sentences (the TF-IDF vocabulary comes from them too)."""
        self.tfidf_ = self._tfidf().fit([flat(t) for t in texts])
        X = self.features(texts, vectors)
        model = self._model().fit(X, np.asarray(labels))
        self.classes_ = list(model.classes_)
        self.coef_ = model.coef_.astype(np.float64)
        self.intercept_ = model.intercept_.astype(np.float64)
        self.embedder_name_ = getattr(self.embedder, "name", None) or getattr(
            self, "embedder_name_", "all-MiniLM-L6-v2")
        self.thresholds_ = {"none_scale": self.none_scale}
        return self

    def cv_proba(self, texts: list[str], labels: list[str], vectors: np.ndarray,
                 seed: int | None = None) -> np.ndarray:
        """Out-of-fold probabilities on the given (training) sentences, for model selection;
        columns follow ``sorted(set(labels))``."""
        from sklearn.model_selection import StratifiedKFold

        y = np.asarray(labels)
        P = np.zeros((len(y), len(set(labels))))
        folds = StratifiedKFold(n_splits=self.cv, shuffle=True,
                                random_state=self.seed if seed is None else seed)
        for a, b in folds.split(np.zeros(len(y)), y):
            sub = PracticeClassifier(self.embedder, C=self.C, none_scale=self.none_scale)
            sub.fit([texts[i] for i in a], list(y[a]), vectors[a])
            P[b] = sub.predict_proba([texts[i] for i in b], vectors[b])
        return P

    # -- predicting -------------------------------------------------------------------------
    def _check(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("the practice classifier is not fitted; call fit() or load()")

    def predict_proba(self, texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        self._check()
        X = self.features(texts, vectors)
        z = np.asarray(X @ self.coef_.T) + self.intercept_
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, texts: list[str], vectors: np.ndarray | None = None) -> list[str]:
        return [k for k, _ in self.predict_scored(texts, vectors)]

    def predict_scored(self, texts: list[str],
                       vectors: np.ndarray | None = None) -> list[tuple[str, float]]:
        """``(kind or "none", probability)`` per sentence, thresholds applied."""
        if not texts:
            return []
        return _decide(self.predict_proba(texts, vectors), self.classes_, self.none_scale)

    # -- persistence ------------------------------------------------------------------------
    def to_dict(self) -> dict:
        self._check()
        return {"format": FORMAT, "embedder": self.embedder_name_,
                "rule_weight": RULE_WEIGHT, "classes": self.classes_, "C": self.C,
                "none_scale": self.none_scale,
                "tfidf": {"ngram_range": [1, 2], "sublinear_tf": True,
                          "vocabulary": {w: int(i) for w, i in self.tfidf_.vocabulary_.items()},
                          "idf": self.tfidf_.idf_.tolist()},
                "coef": self.coef_.tolist(), "intercept": self.intercept_.tolist()}

    def save(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict()), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path | None = None, embedder=None) -> "PracticeClassifier":
        p = Path(path) if path else models_dir() / MODEL_FILE
        if not p.exists():
            raise StageError(f"no practice classifier at {p}; train it with "
                             "'python -m miner.stages.practice_model'")
        d = json.loads(p.read_text(encoding="utf-8"))
        if d.get("format") != FORMAT:
            raise StageError(f"{p} is not a {FORMAT} practice classifier (format "
                             f"{d.get('format')!r}); retrain it with "
                             "'python -m miner.stages.practice_model'")
        clf = cls(embedder=embedder, C=d["C"], none_scale=d["none_scale"])
        clf.classes_ = d["classes"]
        clf.coef_ = np.asarray(d["coef"])
        clf.intercept_ = np.asarray(d["intercept"])
        clf.thresholds_ = {"none_scale": clf.none_scale}
        clf.embedder_name_ = d["embedder"]
        tf = clf._tfidf()
        tf.vocabulary_ = d["tfidf"]["vocabulary"]
        tf.idf_ = np.asarray(d["tfidf"]["idf"], dtype=np.float32)
        clf.tfidf_ = tf
        return clf


def _decide(P: np.ndarray, classes: list[str], none_scale: float) -> list[tuple[str, float]]:
    """The most probable label once the "none" probability is scaled by ``none_scale``."""
    Q = np.array(P, dtype=float)
    if "none" in classes:
        Q[:, classes.index("none")] *= none_scale
    j = Q.argmax(axis=1)
    return [(classes[jj], float(P[r, jj])) for r, jj in enumerate(j)]


def prf(gold: list[str], pred: list[str]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per kind, plus ``macro`` (mean over the six kinds)."""
    out: dict[str, dict[str, float]] = {}
    for k in KINDS:
        tp = sum(1 for g, p in zip(gold, pred) if g == k and p == k)
        fp = sum(1 for g, p in zip(gold, pred) if g != k and p == k)
        fn = sum(1 for g, p in zip(gold, pred) if g == k and p != k)
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        out[k] = {"precision": pr, "recall": rc, "f1": f1, "support": tp + fn}
    out["macro"] = {m: float(np.mean([out[k][m] for k in KINDS]))
                    for m in ("precision", "recall", "f1")}
    return out


# The grid searched by :func:`select` (repeated 5-fold CV on the training quarters only).
C_GRID = (1.0, 2.0)
NONE_SCALE_GRID = (0.7, 0.85, 1.0, 1.2)


def training_rows(labels_path: Path | None = None) -> list[dict]:
    """The labelled sentences outside the held-out quarter."""
    return [r for r in load_labels(labels_path) if not heldout(r["text"]) and r["label"] in LABELS]


def select(texts: list[str], labels: list[str], vectors: np.ndarray, embedder=None,
           seeds: tuple[int, ...] = (0, 1, 2)) -> tuple[float, float, dict]:
    """``(C, none_scale, scores)`` maximising the mean macro F1 of out-of-fold predictions over
    ``seeds`` (only the sentences passed in are seen: pass the training part)."""
    scores: dict[tuple[float, float], list[float]] = {}
    classes = sorted(set(labels))
    for C in C_GRID:
        clf = PracticeClassifier(embedder, C=C)
        for seed in seeds:
            P = clf.cv_proba(texts, labels, vectors, seed=seed)
            for a in NONE_SCALE_GRID:
                pred = [k for k, _ in _decide(P, classes, a)]
                scores.setdefault((C, a), []).append(prf(labels, pred)["macro"]["f1"])
    best = max(scores, key=lambda k: (float(np.mean(scores[k])), -k[0]))
    return best[0], best[1], {f"C={k[0]} none_scale={k[1]}": float(np.mean(v))
                              for k, v in scores.items()}


def train_default(embedder=None, labels_path: Path | None = None, *, C: float | None = None,
                  none_scale: float | None = None) -> PracticeClassifier:
    """Fit on the training three quarters of the shipped labels; ``C`` and ``none_scale``
    default to the values chosen by :func:`select` on that same part."""
    rows = training_rows(labels_path)
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    clf = PracticeClassifier(embedder=embedder)
    vectors = clf._embed(texts)
    if C is None or none_scale is None:
        C, none_scale, _ = select(texts, labels, vectors, clf.embedder)
    return PracticeClassifier(embedder=clf.embedder, C=C, none_scale=none_scale).fit(
        texts, labels, vectors)


if __name__ == "__main__":  # pragma: no cover - retrains the shipped model
    clf = train_default()
    print(clf.save(models_dir() / MODEL_FILE), "C", clf.C, "none_scale", clf.none_scale)
