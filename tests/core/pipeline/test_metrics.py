from __future__ import annotations

import math

import pytest

from topicmap.pipeline.metrics import npmi_coherence, peak_rss_mb, topic_diversity


def test_npmi_matches_hand_computed_value() -> None:
    # 4 documents. "apple" in 2, "pear" in 2, both together in 1:
    # P(a) = P(p) = 1/2, P(a, p) = 1/4 → NPMI = log((1/4) / (1/4)) / -log(1/4) = 0
    texts = ["apple pear", "apple", "pear", "other words"]
    assert npmi_coherence(texts, [["apple", "pear"]]) == pytest.approx(0.0)
    # Always together: P(a) = P(p) = P(a, p) = 1/2 → NPMI = log(2) / log(2) = 1
    assert npmi_coherence(["apple pear", "apple pear", "x", "y"], [["apple", "pear"]]) == pytest.approx(1.0)
    # Never together → -1
    assert npmi_coherence(["apple", "pear", "x"], [["apple", "pear"]]) == pytest.approx(-1.0)


def test_npmi_averages_pairs_then_topics() -> None:
    texts = ["a1 b1", "a1 b1", "c1", "c1 d1", "e1"]
    # Topic 1: (a1, b1) always together → 1. Topic 2: (c1, d1): P(c)=2/5, P(d)=1/5, P(cd)=1/5
    npmi_cd = math.log((1 / 5) / ((2 / 5) * (1 / 5))) / -math.log(1 / 5)
    assert npmi_coherence(texts, [["a1", "b1"], ["c1", "d1"]]) == pytest.approx((1 + npmi_cd) / 2)


def test_npmi_counts_bigrams() -> None:
    texts = ["perl module here", "perl module there", "nothing", "else"]
    assert npmi_coherence(texts, [["perl module", "perl"]]) == pytest.approx(1.0)


def test_npmi_without_pairs_is_zero() -> None:
    assert npmi_coherence(["a b"], [["single"]]) == 0.0
    assert npmi_coherence(["a b"], []) == 0.0


def test_diversity() -> None:
    assert topic_diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert topic_diversity([["a", "b"], ["a", "c"]]) == 0.75
    assert topic_diversity([]) == 0.0


def test_peak_rss_is_plausible() -> None:
    assert 10 < peak_rss_mb() < 100_000
