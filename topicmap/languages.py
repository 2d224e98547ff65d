"""The language of a corpus, for the stop words of its labels.

A map of French package descriptions labelled with English stop words read "bibliothèque · fournit
les · développement": articles and prepositions of other languages are words to an English list,
and pairs like "fournit les" or "le jeu" reached the terms. The corpus's language is the one whose
stop words cover most of a sample of its words (on Debian's translated descriptions the right
language covers 32-44% of the words and the next one at most 24%); its stop words are added to
scikit-learn's English ones, which stay in every set (English words are common in any corpus of
software, products or support).

Every set contains the English one, so a text's terms that are in a map's vocabulary are the same
under English stop words as under the map's own: new documents are matched to a map's terms
without knowing its language (topicmap/pipeline/label.py, ``terms_in``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache

import stop_words as stop_word_lists
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

__all__ = ["ENGLISH", "detect_language", "language_name", "stop_words"]

ENGLISH = "en"
SAMPLE_TEXTS = 1000
"""Texts read to tell the language: evenly spaced over the corpus, whatever its size."""
MIN_COVERAGE = 0.1
"""A language must cover this share of the sample's words to be chosen (else English): code,
part numbers or a script with no spaces between words (Chinese, Japanese) cover none."""
_WORD = re.compile(r"(?u)\b[^\W\d_]\w+\b")
_ENGLISH_EXTRA = frozenset({"does", "did", "doing"})
"""scikit-learn's list has "do" and "done" but not these ("does · expensive · app crashes")."""


@cache
def _lists() -> dict[str, frozenset[str]]:
    lists = {code: frozenset(stop_word_lists.get_stop_words(code)) for code in stop_word_lists.LANGUAGE_MAPPING}
    lists[ENGLISH] = frozenset(ENGLISH_STOP_WORDS) | _ENGLISH_EXTRA
    return lists


@cache
def stop_words(language: str = ENGLISH) -> frozenset[str]:
    """English stop words, with those of ``language`` (an ISO 639-1 code) added."""
    lists = _lists()
    if language not in lists:
        raise ValueError(f"no stop words for language {language!r}; known: {', '.join(sorted(lists))}")
    return lists[ENGLISH] | lists[language]


def language_name(language: str) -> str:
    """ "French" for "fr": the name of a language of :func:`stop_words` (the code itself if unknown)."""
    return str(stop_word_lists.LANGUAGE_MAPPING.get(language, language)).capitalize()


def detect_language(texts: Sequence[str]) -> str:
    """The ISO 639-1 code of the language whose stop words cover most words of ``texts``.

    English when no language covers :data:`MIN_COVERAGE` of them. Deterministic: the same texts in
    the same order give the same answer.
    """
    step = max(1, len(texts) // SAMPLE_TEXTS)
    words = Counter(word for text in texts[::step] for word in _WORD.findall(text.lower()))
    total = sum(words.values())
    if not total:
        return ENGLISH
    coverage = {code: sum(words[word] for word in words.keys() & listed) for code, listed in _lists().items()}
    best = max(sorted(coverage), key=lambda code: (coverage[code], code == ENGLISH))
    return best if coverage[best] >= MIN_COVERAGE * total else ENGLISH
