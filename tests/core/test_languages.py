"""The corpus's language and its stop words: real Debian descriptions in six languages."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import get_args

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stop_words import LANGUAGE_MAPPING

from topicmap.languages import ENGLISH, detect_languages, language_names, stop_words
from topicmap.params import LANGUAGE_NAMES, Language
from topicmap.pipeline.label import TopicLabeler, document_terms, phrase_terms, terms_in

DATA = Path(__file__).resolve().parents[1] / "data"


def _translated() -> dict[str, list[dict[str, str]]]:
    by_language: dict[str, list[dict[str, str]]] = {}
    with (DATA / "debian_translated.csv").open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            by_language.setdefault(row["language"], []).append(row)
    return by_language


TRANSLATED = _translated()


def _english() -> list[str]:
    with (DATA / "debian_sample.csv").open(encoding="utf-8", newline="") as file:
        return [row["text"] for row in csv.DictReader(file)]


@pytest.mark.parametrize("language", ["fr", "de", "es", "it", "pt"])
def test_the_language_of_translated_descriptions_is_told_by_their_stop_words(language: str) -> None:
    texts = [row["text"] for row in TRANSLATED[language]]
    assert detect_languages(texts) == (language,)


def test_english_descriptions_are_english() -> None:
    assert detect_languages(_english()) == (ENGLISH,)


def test_a_corpus_in_two_languages_gets_the_stop_words_of_both() -> None:
    """A support queue in English and German: each language of at least 5% of the texts counts."""
    english, german = _english()[:300], [row["text"] for row in TRANSLATED["de"]]
    assert detect_languages(sorted(english + german)) == (ENGLISH, "de")
    assert detect_languages(sorted(english + german[:10])) == (ENGLISH,)  # 3%: a few quotes, not a language
    assert language_names(["en", "de"]) == "English and German" and language_names(["fr"]) == "French"


def test_short_answers_whose_stop_words_other_languages_share_go_to_the_corpus_language() -> None:
    """ "se cierra sola cuando abro un archivo": Spanish, Catalan and Czech all list "se" and "un";
    decided by code, three answers of twenty made Catalan and Czech languages of a Spanish survey."""
    answers = [
        *("la app es muy lenta", "no puedo iniciar sesión", "el precio es demasiado alto", "me encanta el servicio"),
        *("la atención al cliente fue excelente", "se cierra sola cuando abro un archivo", "todo bien", "nada"),
        *("los archivos no se sincronizan", "muy caro para lo que ofrece", "el equipo respondió muy rápido"),
        *("no funciona en android", "quiero cancelar mi suscripción", "la factura tiene un error", "buen producto"),
        *("me cobraron dos veces", "es fácil de usar", "la interfaz es confusa", "tarda mucho en cargar"),
    ]
    assert detect_languages(sorted(answers)) == ("es",)


@pytest.mark.parametrize(
    "texts",
    [[], ["", "   "], ["x86_64 arm64 riscv64", "ERR_42 0x1f"]],
)
def test_no_language_to_tell_is_english(texts: list[str]) -> None:
    assert detect_languages(texts) == (ENGLISH,)


def test_japanese_is_told_by_its_kana_and_split_where_its_script_changes() -> None:
    """Japanese has no spaces: "debian デスクトップをインストールするのに使われます" was one term and
    labelled a topic. Words are kanji and katakana runs; hiragana (particles, endings) part them."""
    texts = [row["text"] for row in TRANSLATED["ja"]]
    assert detect_languages(texts) == ("ja",)
    assert detect_languages(sorted(texts[:30] + _english()[:70])) == (ENGLISH, "ja")
    text = "C++ の簡素化した線形代数ライブラリ (行列計算) で、速度と使い勝手のバランスを重視しています。"
    assert phrase_terms(text, stop_words("ja")) == [
        *("簡素化", "線形代数", "ライブラリ", "線形代数 ライブラリ", "行列計算", "速度", "勝手", "バランス", "重視"),
    ]
    sections = sorted({row["section"] for row in TRANSLATED["ja"]})
    topics = np.array([sections.index(row["section"]) for row in TRANSLATED["ja"]], dtype=np.int64)
    labeler = TopicLabeler().fit(texts, topics, np.ones((len(texts), 2), dtype=np.float32))
    terms = [term for topic in labeler.terms_ for term, _ in topic]
    assert labeler.languages_ == ("ja",) and max(len(term) for term in terms) < 20, terms
    assert not [term for term in terms if "の" in term or "を" in term or "します" in term]


AOZORA = "Aozora Bunko (青空文庫, literally the Blue Sky Library) is a Japanese digital library of public domain works"


def test_a_few_hanzi_in_another_language_stay_as_written() -> None:
    assert detect_languages([AOZORA]) == (ENGLISH,)
    assert "青空文庫" in phrase_terms(AOZORA)  # not cut as Chinese ("青", "空文", "庫")


def test_chinese_is_told_by_its_hanzi_and_cut_into_words() -> None:
    """Chinese has no spaces either: "qt · 可以提供标准的图形界面功能 · 应用程序框架" labelled a topic."""
    texts = [row["text"] for row in TRANSLATED["zh"]]
    assert detect_languages(texts) == ("zh",)
    cut = ["应用程序", "无法", "应用程序 无法", "启动", "无法 启动", "帮助", "qt", "桌面", "qt 桌面"]
    assert phrase_terms("应用程序无法启动，请帮助我 qt 桌面") == cut  # "我" (I) parts "帮助" from "qt"
    sections = sorted({row["section"] for row in TRANSLATED["zh"]})
    topics = np.array([sections.index(row["section"]) for row in TRANSLATED["zh"]], dtype=np.int64)
    labeler = TopicLabeler().fit(texts, topics, np.ones((len(texts), 2), dtype=np.float32))
    terms = [term for topic in labeler.terms_ for term, _ in topic]
    assert labeler.languages_ == ("zh",) and max(len(term) for term in terms) < 12, terms


def test_chinese_function_words_of_several_characters_are_stop_words() -> None:
    """Cut into words, Chinese has function words of two characters and more: "一个 · 跨平台" was a term."""
    texts = [row["text"] for row in TRANSLATED["zh"]]
    _, vocabulary = document_terms(texts, min_df=1, languages=("zh",))
    words = {word for term in vocabulary for word in term.split()}
    assert not words & {"一个", "可以", "一些", "以及", "我们", "及其"}
    assert {"应用程序", "系统", "游戏", "支持"} <= words  # content words stay


def test_the_languages_a_job_can_name_are_those_with_stop_words() -> None:
    """PipelineParams lists the languages (the API imports no stop-word package): the same codes."""
    assert set(get_args(Language)) == set(LANGUAGE_NAMES) == set(LANGUAGE_MAPPING) | {ENGLISH}
    for code in LANGUAGE_NAMES:
        assert stop_words(code) >= stop_words(ENGLISH)


def test_every_language_keeps_the_english_stop_words() -> None:
    english = stop_words(ENGLISH)
    assert {"the", "of", "does"} <= english
    for language in ("fr", "de", "es", "it", "pt", "ru"):
        assert english < stop_words(language)
    assert {"les", "des", "pour"} <= stop_words("fr") and "les" not in english
    assert stop_words("fr", "de") == stop_words("fr") | stop_words("de") and stop_words() == english


def test_an_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no stop words for language 'xx'"):
        stop_words("fr", "xx")


def test_french_descriptions_get_terms_without_french_stop_words() -> None:
    rows = TRANSLATED["fr"]
    sections = sorted({row["section"] for row in rows})
    topics = np.array([sections.index(row["section"]) for row in rows], dtype=np.int64)
    texts = [row["text"] for row in rows]
    labeler = TopicLabeler().fit(texts, topics, np.ones((len(texts), 2), dtype=np.float32))
    assert labeler.languages_ == ("fr",)
    french = stop_words("fr")
    words = {word for topic in labeler.terms_ for term, _ in topic for word in term.split()}
    assert words and not words & french, sorted(words & french)
    as_english = TopicLabeler(languages=(ENGLISH,)).fit(texts, topics, np.ones((len(texts), 2), dtype=np.float32))
    english_words = {word for topic in as_english.terms_ for term, _ in topic for word in term.split()}
    assert english_words & french  # what English stop words let in: the test would pass without languages


_WORDS = st.sampled_from(["le", "jeu", "de", "stratégie", "the", "game", "pour", "les", "polices", "des", "fontes"])
_TEXTS = st.lists(
    st.lists(st.one_of(_WORDS, st.sampled_from([",", ".", " "])), min_size=1, max_size=12).map(" ".join),
    min_size=1,
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(corpus=_TEXTS, new=_TEXTS)
def test_new_documents_match_a_french_vocabulary_as_the_french_analyser_does(corpus: list[str], new: list[str]) -> None:
    """The assign path reads new documents with English stop words (it does not know a map's
    language): the map's terms it finds in a text are those the map's own analyser finds."""
    _, vocabulary = document_terms(corpus, min_df=1, languages=("fr",))
    terms = set(vocabulary.tolist())
    matched = terms_in(new, vocabulary)
    for row, text in enumerate(new):
        found = {str(vocabulary[column]) for column in matched.getrow(row).indices}
        assert found == set(phrase_terms(text, stop_words("fr"))) & terms
