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
from collections.abc import Iterable, Sequence
from pathlib import Path

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
_CUE_RES = {lang: re.compile(p, re.IGNORECASE) for lang, p in CUES.items()}
_WH = re.compile(r"^\W*(what|which|who|whom|whose|why|how|where|when|is|are|was|were|do|does|did|"
                 r"can|could|should|would|will|shall|may|might|has|have|any|quel|quelle|pourquoi|"
                 r"comment|qu[eé]|c[oó]mo|por qu[eé]|d[oó]nde|cu[aá]l|was|wie|warum|welche)\b", re.IGNORECASE)
_THANKS = re.compile(r"^\W*(thanks?|thank you|many thanks|merci|gracias|obrigad|danke)\b", re.IGNORECASE)
_QUOTE_HEADER = re.compile(r"\bwrote:|escribi|a [ée]crit|schrieb|Betreff:|Subject:", re.IGNORECASE)
_SELF = re.compile(r"\b(i|we|my|our)\b", re.IGNORECASE)
_SENT_SPLIT = re.compile(r"(?<=[.?!])\s+(?=[\"'(¿¡A-ZÀ-Ý])")


def rule_features(sentence: str) -> np.ndarray:
    """Dense rule features of one sentence (each 0/1 except the length bucket)."""
    s = sentence.strip()
    words = s.split()
    return np.array([
        float(s.endswith(("?", "?)"))),
        float("?" in s),
        float(bool(_WH.match(s))),
        float(bool(_WH.match(s)) and "?" in s),
        *[float(bool(r.search(s))) for r in _CUE_RES.values()],
        float(bool(_THANKS.match(s))),
        float(bool(_QUOTE_HEADER.search(s))),
        float(bool(_SELF.search(s))),
        min(len(words), 40) / 40.0,
    ], dtype=np.float32)


# The same rules over many sentences at once (:func:`rule_matrix`): each regex runs once over
# the sentences joined by newlines, which none of these patterns can match or cross; the two
# anchored ones start at each line, with ``\W`` narrowed to exclude the newline. They run
# case-sensitively on the lowercased text (~3x faster than re.IGNORECASE) when lowercasing
# keeps every offset.
_WH_LINES = re.compile(_WH.pattern.replace(r"^\W*", r"^[^\w\n]*"), re.IGNORECASE | re.MULTILINE)
_THANKS_LINES = re.compile(_THANKS.pattern.replace(r"^\W*", r"^[^\w\n]*"),
                           re.IGNORECASE | re.MULTILINE)
_SEARCHED = (_WH_LINES, *_CUE_RES.values(), _THANKS_LINES, _QUOTE_HEADER, _SELF)
_SEARCHED_LOWER = tuple(re.compile(p.pattern.replace("Betreff", "betreff").replace(
    "Subject", "subject"), p.flags & ~re.IGNORECASE) for p in _SEARCHED)


def rule_matrix(sentences: Sequence[str]) -> np.ndarray:
    """:func:`rule_features` of each sentence, stacked (n x features); ~5x faster over many
    sentences, as each regex scans the joined sentences once instead of once per sentence."""
    ss = [s.strip() for s in sentences]
    out = np.zeros((len(ss), len(rule_features("x"))), np.float32)
    multi = [i for i, s in enumerate(ss) if "\n" in s]  # these go one by one (at the end)
    for i in multi:
        ss[i] = ""
    if not ss:
        return out
    joined = "\n".join(ss)
    starts = np.cumsum([0] + [len(s) + 1 for s in ss[:-1]])

    def hits(pattern: re.Pattern, text: str) -> np.ndarray:
        pos = [m.start() for m in pattern.finditer(text)]
        return np.searchsorted(starts, pos, side="right") - 1

    low = joined.lower()
    patterns = _SEARCHED_LOWER if len(low) == len(joined) else _SEARCHED
    text = low if patterns is _SEARCHED_LOWER else joined
    out[:, 0] = [s.endswith(("?", "?)")) for s in ss]
    out[:, 1] = ["?" in s for s in ss]
    for col, pattern in zip((2, 4, 5, 6, 7, 8, 9, 10, 11), patterns):
        out[hits(pattern, text), col] = 1.0
    out[:, 3] = out[:, 2] * out[:, 1]
    out[:, -1] = [min(len(s.split()), 40) / 40.0 for s in ss]
    if multi:
        out[multi] = [rule_features(sentences[i]) for i in multi]
    return out


def rule_score(sentence: str) -> float:
    """The rules alone: 1.0 for a question or a help cue, else 0.0 (the baseline)."""
    f = rule_features(sentence)
    return float((f[0] or f[3] or f[4:9].any()) and not f[9] and not f[10])


def split_sentences(text: str) -> list[str]:
    """Cheap regex sentence split, used when spaCy is not wanted (long corpora)."""
    text = " ".join((text or "").split())
    return [s for s in _SENT_SPLIT.split(text) if len(s.split()) >= 3]


def spacy_sentences(texts: Sequence[str], batch_size: int = 64) -> list[list[str]]:
    """Sentences of each text by spaCy's statistical sentence splitter alone: the other
    components (tok2vec, tagger, lemmatizer, ...) are disabled for the pass, as the senter has
    its own embedding layer (the same sentences, measured on 300 thread starters, at ~1/20 of
    the CPU: 0.15 vs 3.2 s)."""
    from miner.nlp.spacy_loader import load_spacy

    nlp = load_spacy()
    off = [p for p in nlp.pipe_names if p != "senter"] if "senter" in nlp.pipe_names else []
    out = []
    for doc in nlp.pipe([" ".join((t or "").split())[:5000] for t in texts],
                        batch_size=batch_size, disable=off):
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
        rules = rule_matrix(sentences)
        return sparse.hstack([hv.transform(list(sentences)), sparse.csr_matrix(rules * 2.0)]).tocsr()

    def fit(self, sentences: Sequence[str], labels: Sequence[int]) -> QuestionClassifier:
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
    def load(cls, path: Path = MODEL_PATH) -> QuestionClassifier:
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
            "f1": round(2 * pr * rc / (pr + rc), 3) if pr + rc else 0.0, "n": len(g)}


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
