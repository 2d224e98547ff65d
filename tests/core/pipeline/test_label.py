from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from topicmap.pipeline.label import TopicLabeler, class_tfidf, phrase_terms, readable_label
from topicmap.pipeline.metrics import npmi_coherence
from topicmap.terms import generic_terms, one_text_label, texts_label

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "debian_sample.csv"


def test_class_tfidf_matches_hand_computed_values() -> None:
    # Two topics, three terms. Counts per topic:
    #   topic 0: a=2, b=2, c=0   (4 words)     topic 1: a=0, b=1, c=3   (4 words)
    # f = column sums = [2, 3, 3]; A = mean words per topic = 4
    # idf = log(1 + A / f) = [log 3, log(7/3), log(7/3)]
    # tf  = L1 rows: topic 0 = [.5, .5, 0]; topic 1 = [0, .25, .75]
    counts = np.array([[2, 2, 0], [0, 1, 3]])
    weights = class_tfidf(counts).toarray()
    expected = np.array(
        [
            [0.5 * math.log(3), 0.5 * math.log(7 / 3), 0.0],
            [0.0, 0.25 * math.log(7 / 3), 0.75 * math.log(7 / 3)],
        ]
    )
    np.testing.assert_allclose(weights, expected, rtol=1e-12)


def test_class_tfidf_ranks_a_shared_word_below_a_distinctive_one() -> None:
    weights = class_tfidf(np.array([[5, 5], [0, 5]])).toarray()
    assert weights[0, 0] > weights[0, 1]


@pytest.mark.parametrize(
    ("terms", "label"),
    [
        (["python", "python3", "module", "library"], "python · module · library"),
        (["fonts", "font", "truetype", "opentype"], "fonts · truetype · opentype"),
        (["perl", "perl module", "module", "cpan", "xs"], "perl · module · cpan"),
        (["perl module", "perl", "module", "cpan"], "perl module · cpan"),
        (["game", "games"], "game"),
        ([], ""),
    ],
)
def test_readable_label_skips_near_duplicates(terms: list[str], label: str) -> None:
    assert readable_label(terms) == label


def test_labeler_terms_labels_and_representatives() -> None:
    texts = [
        "rocket launch orbit",
        "rocket orbit moon",
        "the rocket and the moon",
        "bake bread in the oven",
        "oven bread butter",
        "butter and bread",
    ]
    topics = np.array([0, 0, 0, 1, 1, 1])
    embeddings = np.eye(6, dtype=np.float32)[[0, 0, 1, 2, 2, 3]]
    labeler = TopicLabeler(n_terms=3, n_representative=2).fit(texts, topics, embeddings)
    assert labeler.topic_ids_ == [0, 1]
    assert labeler.terms_[0][0][0] == "rocket"
    assert labeler.terms_[1][0][0] == "bread"
    assert all(term not in {"the", "and", "in"} for terms in labeler.terms_ for term, _ in terms)
    assert labeler.labels_[0].startswith("rocket")
    # Documents 0 and 1 share the centroid's dominant direction; the duplicate-free pick is both.
    assert labeler.representatives_[0] == [0, 1]
    assert len(labeler.representatives_[1]) == 2


def test_labeler_core_documents_define_the_terms() -> None:
    texts = ["alpha beta"] * 3 + ["gamma delta"] * 3 + ["zeta eta"] * 3
    topics = np.array([0] * 6 + [1] * 3)
    core = np.array([True] * 3 + [False] * 3 + [True] * 3)
    labeler = TopicLabeler(n_terms=5).fit(texts, topics, np.ones((9, 2), dtype=np.float32), core=core)
    assert {t for t, _ in labeler.terms_[0]} == {"alpha", "beta", "alpha beta"}
    assert {t for t, _ in labeler.terms_[1]} == {"zeta", "eta", "zeta eta"}


def test_terms_count_once_per_document_and_need_three_documents() -> None:
    # "spam" is repeated in one document only: it neither outweighs "fonts" nor survives min_df
    # (3 from 300 documents up; min_df=3 stands in for such a corpus here).
    texts = ["fonts glyphs", "fonts glyphs", "fonts glyphs spam spam spam spam spam spam"] + ["games play"] * 3
    labeler = TopicLabeler(min_df=3).fit(texts, np.array([0, 0, 0, 1, 1, 1]), np.ones((6, 2), dtype=np.float32))
    assert "spam" not in {t for t, _ in labeler.terms_[0]}
    assert labeler.terms_[0][0][0] in {"fonts", "glyphs", "fonts glyphs"}


def test_a_small_corpus_keeps_the_terms_of_two_documents() -> None:
    """Among 12 support tickets with min_df=3 only "great" and "refund" were left: the crash and
    login topics had no label at all ("Topic 0"). Under 100 documents a term of one is kept."""
    texts = [
        *("The app crashes when I open settings", "App crashed after the update", "Crash on start, app closes"),
        *("Please refund my payment", "I was charged twice, refund please", "Refund request for order 1234"),
        *("Love the new design", "Great service and friendly staff", "Thanks for the quick help, great support"),
        *("Can't log in, password reset fails", "Login page says my password is wrong", "Login code never comes"),
    ]
    labeler = TopicLabeler().fit(texts, np.repeat(np.arange(4), 3), np.ones((12, 2), dtype=np.float32))
    assert [label.split(" · ")[0] for label in labeler.labels_] == ["app", "refund", "great", "login"], labeler.labels_
    assert "password" in {t for t, _ in labeler.terms_[3]}


def test_a_label_is_made_of_words_its_documents_share() -> None:
    """Survey answers about prices: "price" and "fee" are in two answers each, every other word in one,
    all of one weight; the first of those in the alphabet ("annoyed") made the label's third word."""
    texts = [
        *("The price went up again", "Price is too high", "A monthly fee for nothing", "The fee doubled"),
        *("Hidden costs annoyed me", "Cheaper student plans please", "Why so expensive"),
        *("The app crashes on login", "App freezes when I log in", "Crashes after the update"),
        *("The app drains my battery", "Notifications stopped working", "Sync is broken"),
    ]
    labeler = TopicLabeler().fit(texts, np.repeat([0, 1], [7, 6]), np.ones((13, 2), dtype=np.float32))
    assert labeler.labels_[0] == "fee · price", labeler.labels_
    assert labeler.labels_[1] == "app · crashes", labeler.labels_
    assert "annoyed" in {t for t, _ in labeler.terms_[0]}  # still among the terms: only the label changed


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("Software defined radio receivers", {"software defined", "defined radio", "radio receivers"}),
        ("shortcomings of particular machines, or special needs", {"particular machines", "special needs"}),
        ("A runtime for Node.js. Fast servers", {"node js", "fast servers"}),  # not "js fast": a full stop ends
        ("library (C++) bindings; python 3 module", {"python module"}),  # a bare number is not a word
    ],
)
def test_a_pair_of_words_is_a_term_only_where_they_stand_together(text: str, pairs: set[str]) -> None:
    terms = phrase_terms(text)
    assert {term for term in terms if " " in term} == pairs
    assert all(" " in term or term.isalpha() for term in terms) and "of" not in terms


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Go library: github.com/foo/bar. Home: http://www.haskell.org/ghc", ["library", "github", "home", "haskell"]),
        ("Loving the new release! https://t.co/abc123 http://bit.ly/x", ["loving", "new", "release", "new release"]),
        ("Mail john.doe@gmail.com about the refund", ["mail", "refund"]),  # a person, not a subject
        ("Great deal bit.ly/3xYz today, and/or youtu.be/abc", ["great", "deal", "great deal", "today"]),  # shorteners
        ("See docs.python.org/3/library for node.js", ["python", "node", "js", "node js"]),  # node.js is no site
    ],
)
def test_a_web_address_is_its_sites_name_and_an_e_mail_address_nothing(text: str, terms: list[str]) -> None:
    """Split into words, addresses labelled topics "golang · github · com" and "haskell · programming
    language · www" on Debian's descriptions."""
    assert phrase_terms(text) == terms


def test_the_forms_of_do_are_stop_words() -> None:
    assert phrase_terms("What does it cost? It did crash, doing nothing") == ["cost", "crash"]


def test_a_boilerplate_sentence_no_longer_labels_a_topic_with_pairs_nobody_wrote() -> None:
    boilerplate = "a library of internal subroutines that gcc uses to overcome shortcomings of particular machines"
    texts = [f"{boilerplate}, or special needs for some languages ({arch})" for arch in ("arm", "mips", "riscv")]
    texts += [f"fonts with glyphs for {script}, in truetype" for script in ("latin", "greek", "arabic")]
    labeler = TopicLabeler(min_df=3).fit(texts, np.array([0, 0, 0, 1, 1, 1]), np.ones((6, 2), dtype=np.float32))
    terms = [[term for term, _ in topic] for topic in labeler.terms_]
    written = {term for text in texts for term in phrase_terms(text)}
    assert {"machines special", "subroutines gcc", "shortcomings particular"}.isdisjoint(terms[0])
    assert set(terms[0]) <= written and "internal subroutines" in terms[0]
    assert npmi_coherence(texts, terms) > 0.9  # every pair of a topic's terms is found together


def test_labeler_survives_stop_words_only() -> None:
    labeler = TopicLabeler().fit(["the and", "of the", "a an"], np.array([0, 0, -1]), np.ones((3, 2), dtype=np.float32))
    assert labeler.labels_ == ["Outliers", "“the and” · “of the”"] and labeler.terms_ == [[], []]


def test_a_topic_of_non_answers_is_named_by_its_most_frequent_answers() -> None:
    """Survey answers "none", "nothing", "no", "-" have no term (stop words, punctuation): such a
    topic read "Topic 1", which says nothing; its commonest answers say what it holds."""
    texts = ["price is too high", "the price went up", "pricing is high", "none", "no", "none ", "-", "none", "no"]
    topics = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1])
    labeler = TopicLabeler().fit(texts, topics, np.ones((9, 2), dtype=np.float32))
    assert "price" in labeler.labels_[0] and labeler.labels_[1] == "“none” · “no” · “-”"


def test_a_topic_of_one_answer_given_again_is_named_by_that_answer() -> None:
    """ "Nothing to add", 20 times: its only term is "add", a word the answer hardly means."""
    texts = ["price is too high", "the price went up", "pricing is high"] + ["Nothing to  add"] * 9 + ["nothing"]
    topics = np.array([0, 0, 0] + [1] * 10)
    labeler = TopicLabeler().fit(texts, topics, np.ones((13, 2), dtype=np.float32))
    assert "price" in labeler.labels_[0] and labeler.labels_[1] == "“Nothing to add”"
    assert one_text_label(["too expensive"] * 7 + ["cheaper plans", "price", "cost"]) == ""  # 70%: its terms
    assert one_text_label(["a long answer that goes on and on about many things"] * 5) == ""  # not short
    assert one_text_label(["None"] * 4 + ["none"] * 5 + ["NONE ", "other"]) == "“none”"  # as most wrote it


def test_a_long_text_in_a_label_is_cut() -> None:
    assert texts_label(["of the " * 10, "."]) == "“of the of the of the of…” · “.”"


def test_labeler_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        TopicLabeler().fit(["a"], np.array([0, 1]), np.ones((2, 2), dtype=np.float32))


def test_the_genres_words_stay_among_the_terms_but_leave_the_labels() -> None:
    """Over a dozen topics c-TF-IDF's IDF cannot tell "used" from "glyphs": the 1,500-package sample
    read "font · used · truetype", "game · package · files", "audio · sound · using". Words most
    topics have (in 2% or more of their documents) no longer make labels; they stay in the terms."""
    rows = list(csv.DictReader(SAMPLE.open(encoding="utf-8")))
    sections = sorted({row["section"] for row in rows})
    texts = [row["text"] for row in rows]
    topics = np.array([sections.index(row["section"]) * 2 + i % 2 for i, row in enumerate(rows)])  # ten topics
    labeler = TopicLabeler().fit(texts, topics, np.ones((len(texts), 2), dtype=np.float32))
    generic = generic_terms(labeler.counts_, labeler.topic_ids_, topics.tolist(), labeler.vocabulary_)
    assert {"used", "using", "package", "files", "provides"} <= generic and "font" not in generic
    labels = [label.split(" · ") for label in labeler.labels_]
    assert not any(set(label) & generic for label in labels), labeler.labels_
    by_terms = [readable_label([t for t, _ in terms]) for terms in labeler.terms_]
    assert sum(set(label.split(" · ")) & generic != set() for label in by_terms) >= 3  # as it was
    assert any("used" in [t for t, _ in terms] for terms in labeler.terms_)  # the terms keep them
    assert labeler.labels_[0].startswith("font · ")
    # Small maps too: the five sections read "font · package · used", "game · package · files".
    few = np.array([sections.index(row["section"]) for row in rows])
    small = TopicLabeler().fit(texts, few, np.ones((len(texts), 2), dtype=np.float32))
    generic = generic_terms(small.counts_, small.topic_ids_, few.tolist(), small.vocabulary_)
    assert {"used", "package", "files"} <= generic and not {"font", "game", "imap"} & generic
    assert small.labels_[:2] == ["font · truetype · glyphs", "game · player · play"], small.labels_
    # Below four topics "most topics have it" says too little: nothing is generic.
    three = few < 3
    kept = [text for text, keep in zip(texts, three, strict=True) if keep]
    tiny = TopicLabeler().fit(kept, few[three], np.ones((len(kept), 2), dtype=np.float32))
    assert generic_terms(tiny.counts_, tiny.topic_ids_, few[three].tolist(), tiny.vocabulary_) == frozenset()


def test_topics_merged_from_clusters_are_labelled_as_the_clusters_tell() -> None:
    """A job's n_topics merges the closest clusters: three topics of the sample's five sections
    read "font · package · used" and "package · haskell · programming", because over three topics
    c-TF-IDF cannot tell "package" from a subject. The clusters' IDF and genre words name them; a
    topic most of whose clusters have none of its summed terms is named by its largest."""
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = [row["text"] for row in rows]
    sections = sorted({row["section"] for row in rows})
    assert sections == ["fonts", "games", "haskell", "mail", "sound"]
    finer = np.array([sections.index(row["section"]) for row in rows], dtype=np.int64)
    embeddings = np.ones((len(texts), 2), dtype=np.float32)
    genre = {"package", "provides", "used"}

    three = np.array([0, 1, 1, 2, 2], dtype=np.int64)[finer]
    plain = TopicLabeler().fit(texts, three, embeddings).labels_
    assert any(set(label.split(" · ")) & genre for label in plain)  # what it was
    labels = TopicLabeler().fit(texts, three, embeddings, finer=finer).labels_
    assert labels[0] == "font · truetype · glyphs"
    assert labels[1] == "game and haskell"  # games have none of "haskell · programming · provides library"
    assert not any(set(label.split(" · ")) & genre for label in labels), labels

    two = np.array([0, 1, 1, 1, 1], dtype=np.int64)[finer]  # four sections in one topic
    labels = TopicLabeler().fit(texts, two, embeddings, finer=finer).labels_
    assert labels == ["font · truetype · glyphs", "game, haskell and 2 more"]
