"""The languages of a corpus, for the stop words of its labels.

A map of French package descriptions labelled with English stop words read "bibliothèque · fournit
les · développement": articles and prepositions of other languages are words to an English list,
and pairs like "fournit les" or "le jeu" reached the terms. A text's language is the one whose stop
words cover most of its words (on Debian's translated descriptions, 98-100% of the texts of each of
six languages are told right); a corpus's languages are those of at least 5% of 1,000 texts spread
over it, so a support queue in English and German gets both lists. Their stop words are added to
scikit-learn's English ones, which stay in every set (English words are common in any corpus of
software, products or support).

Every set contains the English one, so a text's terms that are in a map's vocabulary are the same
under English stop words as under the map's own: new documents are matched to a map's terms
without knowing its languages (topicmap/pipeline/label.py, ``terms_in``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import cache

import stop_words as stop_word_lists
import stopwordsiso
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from topicmap.params import LANGUAGE_NAMES
from topicmap.words import WORD, script_of

__all__ = ["ENGLISH", "detect_languages", "language_names", "stop_words"]

ENGLISH = "en"
SAMPLE_TEXTS = 1000
"""Texts read to tell the languages: evenly spaced over the corpus (the pipeline's canonical order,
by text: the same sample in any row order)."""
MIN_SHARE = 0.05
"""A language must be that of this share of the sampled texts to count."""
MIN_COVERAGE = 0.1
"""A text has a language when its stop words are this share of its words: code, part numbers or a
script with no spaces between words (Chinese, Japanese) have none: those are told by their scripts."""

CHINESE = "zh"
"""The ``stop-words`` list of Chinese has single characters ("的", "了"), but Chinese texts are cut into
words (topicmap/words.py): its multi-character function words ("一个", "可以", "以及": "一个 · 跨平台"
was a term) come from stopwords-iso's list, which has them and no content words."""

_ENGLISH_EXTRA = frozenset({"does", "did", "doing"})
"""scikit-learn's list has "do" and "done" but not these ("does · expensive · app crashes")."""


@cache
def _lists() -> dict[str, frozenset[str]]:
    lists = {code: frozenset(stop_word_lists.get_stop_words(code)) for code in stop_word_lists.LANGUAGE_MAPPING}
    lists[ENGLISH] = frozenset(ENGLISH_STOP_WORDS) | _ENGLISH_EXTRA
    lists[CHINESE] |= frozenset(stopwordsiso.stopwords(CHINESE))
    return lists


@cache
def stop_words(*languages: str) -> frozenset[str]:
    """English stop words, with those of ``languages`` (ISO 639-1 codes) added."""
    lists = _lists()
    unknown = [language for language in languages if language not in lists]
    if unknown:
        raise ValueError(f"no stop words for language {unknown[0]!r}; known: {', '.join(sorted(lists))}")
    return lists[ENGLISH].union(*(lists[language] for language in languages))


def language_names(languages: Sequence[str]) -> str:
    """ "English and French" for ("en", "fr"): the names of languages of :func:`stop_words`."""
    names = [LANGUAGE_NAMES.get(code, code) for code in languages]
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def detect_languages(texts: Sequence[str]) -> tuple[str, ...]:
    """ISO 639-1 codes of the languages of at least :data:`MIN_SHARE` of the texts (sampled), most
    texts first; English alone when no text has a language.

    A short text's stop words are often as much another language's ("se cierra sola cuando abro un
    archivo": Spanish, Catalan and Czech all list "se" and "un"): a tie goes to the language whose
    stop words cover most words of the whole sample, then to English. Japanese and Chinese are told
    by their scripts (topicmap/words.py, ``script_of``).
    """
    sampled = texts[:: max(1, len(texts) // SAMPLE_TEXTS)]
    coverages = [_coverage(text) for text in sampled]
    overall: Counter[str] = sum((coverage for coverage, _ in coverages), Counter())
    rank = {code: (overall[code], code == ENGLISH, code) for code in overall}
    found = Counter(
        language
        for text, (coverage, n_words) in zip(sampled, coverages, strict=True)
        if (language := script_of(text) or _language_of(coverage, n_words, rank))
    )
    chosen = [language for language, count in found.most_common() if count >= MIN_SHARE * len(sampled)]
    return tuple(chosen) or (ENGLISH,)


@cache
def _languages_of_words() -> dict[str, tuple[str, ...]]:
    """Each stop word's languages."""
    languages: dict[str, list[str]] = {}
    for code, listed in _lists().items():
        for word in listed:
            languages.setdefault(word, []).append(code)
    return {word: tuple(codes) for word, codes in languages.items()}


def _coverage(text: str) -> tuple[Counter[str], int]:
    """How many of the text's words each language lists as stop words, and its number of words."""
    words = WORD.findall(text.lower())
    index = _languages_of_words()
    return Counter(code for word in words for code in index.get(word, ())), len(words)


def _language_of(coverage: Counter[str], n_words: int, rank: dict[str, tuple[int, bool, str]]) -> str | None:
    if not coverage:
        return None
    best = max(coverage, key=lambda code: (coverage[code], rank[code]))
    return best if coverage[best] >= MIN_COVERAGE * n_words else None
