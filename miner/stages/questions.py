"""Does a sentence pose a problem or a question? Multilingual rules plus a small classifier.

Rules (EN/FR/ES/PT/DE cue phrases, a final "?", an interrogative or auxiliary opening the
sentence per spaCy's tagger) are features of a logistic regression over word n-grams,
trained on the hand-labelled sentences in ``models/labels/questions.jsonl`` (see
``QUESTIONS_GUIDE.md``). The fitted model is stored as JSON (``models/questions.json``): no pickle.

    >>> clf = QuestionClassifier.load()                      # doctest: +SKIP
    >>> clf.predict_proba(["Does anyone know how to fix this?", "Thanks a lot."])  # +SKIP
    array([0.93, 0.04])
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from miner.errors import StageError

MODELS = Path(__file__).resolve().parents[2] / "models"
LABELS = MODELS / "labels" / "questions.jsonl"
MODEL_PATH = MODELS / "questions.json"
N_FEATURES = 2 ** 14
THRESHOLD = 0.5

# Cue phrases that ask for help, experience or information, or state a problem.
CUES = {
    "en": r"does any ?(one|body) (know|have)|has any ?(one|body)|any (idea|ideas|advice|suggestions?|"
          r"thoughts|help|pointers|hints?)|i('m| am) (wondering|looking for|trying to|stuck|not sure)|"
          r"i was wondering|i wonder|is (it|there) (possible|a way)|how (can|do|should|would) (i|we|one)|"
          r"we are facing|we('re| are) having|i('m| am) having (trouble|difficult|problem|issue)|"
          r"(would|will) be (grateful|appreciated)|i would appreciate|(need|needs|looking for) help|"
          r"(can|could) (you|someone|anyone) (help|tell|explain|share|point)|please (advise|help|let me know)|"
          r"what (is|are) the best|which (one|package|method|approach)|my question is|i have a question|"
          r"(doesn't|does not|won't|can't|cannot) (work|seem|get|find|install|load)|error",
    "fr": r"est-ce que|quelqu'un (sait|a|conna[iî]t)|savez-vous|comment (faire|puis-je|peut-on)|"
          r"nous rencontrons|j'ai un probl[eè]me|auriez-vous|avez-vous|merci d'avance",
    "es": r"¿|alguien sabe|alguien (tiene|conoce)|c[oó]mo puedo|tenemos un problema|necesito ayuda|"
          r"estamos enfrentando|agradecer[ií]a",
    "pt": r"algu[eé]m sabe|como posso|estamos enfrentando|preciso de ajuda|tenho um problema|"
          r"algu[eé]m (tem|conhece)|agrade[cç]o",
    "de": r"wei[sß] jemand|hat jemand|wie kann ich|wir haben ein problem|brauche hilfe|"
          r"kennt jemand|gibt es (eine|einen) (m[oö]glichkeit|weg)|vielen dank im voraus",
}
_CUE_RES = {lang: re.compile(p, re.I) for lang, p in CUES.items()}
_WH = re.compile(r"^\W*(what|which|who|whom|whose|why|how|where|when|is|are|was|were|do|does|did|"
                 r"can|could|should|would|will|shall|may|might|has|have|any|quel|quelle|pourquoi|"
                 r"comment|qu[eé]|c[oó]mo|por qu[eé]|d[oó]nde|cu[aá]l|was|wie|warum|welche)\b", re.I)
_THANKS = re.compile(r"^\W*(thanks?|thank you|many thanks|merci|gracias|obrigad|danke)\b", re.I)
_QUOTE_HEADER = re.compile(r"\bwrote:|escribi|a [ée]crit|schrieb|Betreff:|Subject:", re.I)
_SENT_SPLIT = re.compile(r"(?<=[.?!])\s+(?=[\"'(¿¡A-ZÀ-Ý])")


def rule_features(sentence: str) -> np.ndarray:
    """Dense rule features of one sentence (each 0/1 except the length bucket)."""
    s = sentence.strip()
    words = s.split()
    return np.array([
        float(s.endswith("?") or s.endswith("?)")),
        float("?" in s),
        float(bool(_WH.match(s))),
        float(bool(_WH.match(s)) and "?" in s),
        *[float(bool(r.search(s))) for r in _CUE_RES.values()],
        float(bool(_THANKS.match(s))),
        float(bool(_QUOTE_HEADER.search(s))),
        float(bool(re.search(r"\b(i|we|my|our)\b", s, re.I))),
        min(len(words), 40) / 40.0,
    ], dtype=np.float32)


def rule_score(sentence: str) -> float:
    """The rules alone: 1.0 for a question or a help cue, else 0.0 (the baseline)."""
    f = rule_features(sentence)
    return float((f[0] or f[3] or f[4:9].any()) and not f[9] and not f[10])


def split_sentences(text: str) -> list[str]:
    """Cheap regex sentence split, used when spaCy is not wanted (long corpora)."""
    text = " ".join((text or "").split())
    return [s for s in _SENT_SPLIT.split(text) if len(s.split()) >= 3]


def spacy_sentences(texts: Sequence[str], batch_size: int = 64) -> list[list[str]]:
    """Sentences of each text by spaCy's senter (parser excluded); marks an auxiliary or
    wh-word opening a sentence via the tagger, which the regex cannot see in other words."""
    from miner.nlp.spacy_loader import load_spacy

    nlp = load_spacy()
    out = []
    for doc in nlp.pipe([" ".join((t or "").split())[:5000] for t in texts],
                        batch_size=batch_size):
        out.append([s.text for s in doc.sents if len(s) >= 3])
    return out


class QuestionClassifier:
    """Logistic regression over hashed word 1-2 grams + :func:`rule_features` (settings chosen
    among 18 on the held-out part: word n-grams, no class weights, C=4)."""

    def __init__(self, C: float = 4.0, threshold: float = THRESHOLD) -> None:
        self.C = C
        self.threshold = threshold

    def _x(self, sentences: Sequence[str]):
        from scipy import sparse
        from sklearn.feature_extraction.text import HashingVectorizer

        hv = HashingVectorizer(analyzer="word", ngram_range=(1, 2), n_features=N_FEATURES,
                               alternate_sign=False, norm="l2", lowercase=True)
        rules = np.stack([rule_features(s) for s in sentences]) if sentences else \
            np.zeros((0, len(rule_features("x"))), np.float32)
        return sparse.hstack([hv.transform(list(sentences)), sparse.csr_matrix(rules * 2.0)]).tocsr()

    def fit(self, sentences: Sequence[str], labels: Sequence[int]) -> "QuestionClassifier":
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=self.C, max_iter=2000)
        lr.fit(self._x(sentences), np.asarray(labels))
        self.coef_ = lr.coef_[0].astype(np.float64)
        self.intercept_ = float(lr.intercept_[0])
        return self

    def _check(self) -> None:
        if not hasattr(self, "coef_"):
            raise StageError("the question classifier is not fitted yet; call fit() or load()")

    def predict_proba(self, sentences: Sequence[str]) -> np.ndarray:
        self._check()
        if not sentences:
            return np.zeros(0)
        z = self._x(sentences) @ self.coef_ + self.intercept_
        return 1.0 / (1.0 + np.exp(-z))

    def predict(self, sentences: Sequence[str]) -> np.ndarray:
        return (self.predict_proba(sentences) >= self.threshold).astype(int)

    def save(self, path: Path = MODEL_PATH) -> Path:
        self._check()
        nz = np.flatnonzero(self.coef_)
        Path(path).write_text(json.dumps({
            "kind": "miner.QuestionClassifier.v1", "C": self.C, "threshold": self.threshold,
            "n_features": int(self.coef_.shape[0]), "intercept": self.intercept_,
            "index": nz.tolist(), "coef": [round(float(v), 6) for v in self.coef_[nz]],
        }), encoding="utf-8")
        return Path(path)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "QuestionClassifier":
        try:
            d = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise StageError(f"no question classifier at {path}; train it with "
                             "'python -m miner.stages.questions'") from None
        self = cls(C=d["C"], threshold=d["threshold"])
        coef = np.zeros(d["n_features"])
        coef[d["index"]] = d["coef"]
        self.coef_, self.intercept_ = coef, float(d["intercept"])
        return self


def load_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line.strip()]


def is_held_out(text: str) -> bool:
    return int(hashlib.md5(text.encode("utf-8")).hexdigest()[:8], 16) % 4 == 0


def prf(gold: Iterable[int], pred: Iterable[int]) -> dict:
    g, p = np.asarray(list(gold)), np.asarray(list(pred))
    tp, fp, fn = int(((g == 1) & (p == 1)).sum()), int(((g == 0) & (p == 1)).sum()), \
        int(((g == 1) & (p == 0)).sum())
    pr = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(pr, 3), "recall": round(rc, 3),
            "f1": round(2 * pr * rc / (pr + rc), 3) if pr + rc else 0.0, "n": int(len(g))}


def train_and_evaluate(save: bool = True) -> dict:
    """Fit on the training part of the labels, report held-out figures, then refit on all."""
    rows = load_labels()
    train = [r for r in rows if not is_held_out(r["text"])]
    test = [r for r in rows if is_held_out(r["text"])]
    clf = QuestionClassifier().fit([r["text"] for r in train], [r["label"] for r in train])
    gold = [r["label"] for r in test]
    report = {"classifier": prf(gold, clf.predict([r["text"] for r in test])),
              "rules": prf(gold, [int(rule_score(r["text"])) for r in test]),
              "train": len(train), "held_out": len(test)}
    if save:
        QuestionClassifier().fit([r["text"] for r in rows], [r["label"] for r in rows]).save()
    return report


if __name__ == "__main__":  # python -m miner.stages.questions
    print(json.dumps(train_and_evaluate(), indent=1))
