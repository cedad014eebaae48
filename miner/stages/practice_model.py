"""The sentence classifier of the practices stage: logistic regression over a sentence embedding
plus the rule features of :mod:`miner.stages.practice_rules`, with per-kind probability
thresholds calibrated by cross-validation on the training labels. Saved as JSON (never pickle).

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
RULE_WEIGHT = 2.0  # rule features are scaled up so they are not drowned by 384 embedding dims


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
    """Multinomial logistic regression over ``[embedding, RULE_WEIGHT * rule features]``."""

    def __init__(self, embedder=None, *, C: float = 2.0, cv: int = 5, seed: int = 42) -> None:
        self.embedder = embedder
        self.C = C
        self.cv = cv
        self.seed = seed

    # -- features ---------------------------------------------------------------------------
    def _embed(self, texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        if vectors is not None:
            return np.asarray(vectors, dtype=np.float32)
        if self.embedder is None:
            from miner.nlp.embedders import load_embedder

            self.embedder = load_embedder(getattr(self, "embedder_name_", "minilm"))
        return self.embedder.encode([flat(t) for t in texts])

    def features(self, texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        emb = self._embed(texts, vectors)
        rules = (np.vstack([rule_features(t) for t in texts]) if texts
                 else np.zeros((0, N_RULE_FEATURES), np.float32))
        return np.hstack([emb, RULE_WEIGHT * rules]).astype(np.float32)

    # -- fitting ----------------------------------------------------------------------------
    def _model(self):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced")

    def fit(self, texts: list[str], labels: list[str], vectors: np.ndarray | None = None):
        """Fit on labelled sentences; thresholds are calibrated on cross-validated
        probabilities of the same training set (never on held-out data)."""
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        X = self.features(texts, vectors)
        y = np.asarray(labels)
        folds = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=self.seed)
        proba = cross_val_predict(self._model(), X, y, cv=folds, method="predict_proba")
        classes = sorted(set(labels))
        self.thresholds_ = _calibrate(proba, y, classes)
        model = self._model().fit(X, y)
        self.classes_ = list(model.classes_)
        self.coef_ = model.coef_.astype(np.float64)
        self.intercept_ = model.intercept_.astype(np.float64)
        self.embedder_name_ = getattr(self.embedder, "name", "minilm")
        return self

    # -- predicting -------------------------------------------------------------------------
    def _check(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("the practice classifier is not fitted; call fit() or load()")

    def predict_proba(self, texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        self._check()
        X = self.features(texts, vectors).astype(np.float64)
        z = X @ self.coef_.T + self.intercept_
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
        return _decide(self.predict_proba(texts, vectors), self.classes_, self.thresholds_)

    # -- persistence ------------------------------------------------------------------------
    def to_dict(self) -> dict:
        self._check()
        return {"format": "miner.practices.logreg.v1", "embedder": self.embedder_name_,
                "rule_weight": RULE_WEIGHT, "classes": self.classes_,
                "coef": self.coef_.tolist(), "intercept": self.intercept_.tolist(),
                "thresholds": self.thresholds_, "C": self.C}

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
        if d.get("format") != "miner.practices.logreg.v1":
            raise StageError(f"{p} is not a miner practice classifier (format {d.get('format')!r})")
        clf = cls(embedder=embedder, C=d["C"])
        clf.classes_ = d["classes"]
        clf.coef_ = np.asarray(d["coef"])
        clf.intercept_ = np.asarray(d["intercept"])
        clf.thresholds_ = d["thresholds"]
        clf.embedder_name_ = d["embedder"]
        return clf


def _decide(P: np.ndarray, classes: list[str], thr: dict[str, float]) -> list[tuple[str, float]]:
    """A kind wins when its probability passes its threshold (the most probable such kind);
    otherwise the sentence is "none"."""
    t = np.array([thr.get(c, 0.5) if c != "none" else np.inf for c in classes])
    ok = np.where(P >= t, P, -1.0)
    j = ok.argmax(axis=1)
    none_j = classes.index("none") if "none" in classes else None
    out = []
    for r, jj in enumerate(j):
        if ok[r, jj] < 0:
            out.append(("none", float(P[r, none_j]) if none_j is not None else 0.0))
        else:
            out.append((classes[jj], float(P[r, jj])))
    return out


def _calibrate(proba: np.ndarray, y: np.ndarray, classes: list[str]) -> dict[str, float]:
    """Per kind, the probability threshold maximising that kind's F1 on cross-validated
    predictions (searched jointly over a few sweeps, since kinds compete for a sentence)."""
    thr = {c: 0.5 for c in classes if c != "none"}
    grid = np.round(np.arange(0.15, 0.91, 0.05), 2)
    for _ in range(3):
        for c in thr:
            best_t, best_f = thr[c], -1.0
            for t in grid:
                trial = dict(thr, **{c: float(t)})
                pred = np.array([k for k, _ in _decide(proba, classes, trial)])
                tp = np.sum((pred == c) & (y == c))
                fp = np.sum((pred == c) & (y != c))
                fn = np.sum((pred != c) & (y == c))
                f = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
                if f > best_f + 1e-9:
                    best_t, best_f = float(t), f
            thr[c] = best_t
    return thr


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


def train_default(embedder=None, labels_path: Path | None = None) -> PracticeClassifier:
    """Fit on the training three quarters of the shipped labels."""
    rows = [r for r in load_labels(labels_path) if not heldout(r["text"]) and r["label"] in LABELS]
    return PracticeClassifier(embedder=embedder).fit([r["text"] for r in rows],
                                                     [r["label"] for r in rows])


if __name__ == "__main__":  # pragma: no cover - retrains the shipped model
    clf = train_default()
    print(clf.save(models_dir() / MODEL_FILE), clf.thresholds_)
