"""Hand-built topic maps for tests that need no pipeline."""

from __future__ import annotations

from topicmap.schemas import Documents, EmbeddingInfo, Meta, PipelineParams, Quality, Term, Topic, TopicMap

XSS = "<script>alert(1)</script>"


def small_map(texts: list[str] | None = None) -> tuple[TopicMap, list[str]]:
    """Three topics (one labelled with markup), one kept outlier, one document per topic is XSS."""
    texts = texts or [f"document {i} about things" for i in range(9)]
    texts[4] = f"{XSS} and <img src=x onerror=alert(2)>"
    topic = [0, 0, 0, 1, 1, 1, 2, 2, -1]
    topics = [
        Topic(
            id=0,
            label="rocket · orbit",
            terms=[Term(term="rocket", weight=0.5), Term(term="orbit", weight=0.2)],
            size=3,
            x=0.0,
            y=0.0,
            representative_documents=["d0"],
        ),
        Topic(
            id=1,
            label=f"{XSS} · evil",
            terms=[Term(term=XSS, weight=0.4)],
            size=3,
            x=5.0,
            y=5.0,
            representative_documents=["d4"],
        ),
        Topic(
            id=2,
            label="bread · oven",
            terms=[Term(term="bread", weight=0.3)],
            size=2,
            x=-5.0,
            y=2.0,
            representative_documents=["d6"],
        ),
        Topic(id=-1, label="Outliers", terms=[], size=1, x=9.0, y=9.0, representative_documents=["d8"]),
    ]
    documents = Documents(
        id=[f"d{i}" for i in range(9)],
        x=[float(i) for i in range(9)],
        y=[float(-i) for i in range(9)],
        topic=topic,
        outlier=[t < 0 for t in topic],
    )
    meta = Meta(
        n_documents=9,
        params=PipelineParams(keep_outliers=True),
        versions={"topicmap": "0"},
        seed=42,
        embedding=EmbeddingInfo(model="m", backend="hashing", device="cpu", dimensions=8, unique_documents=9),
        timings_s={"total": 1.0},
        peak_rss_mb=1.0,
        quality=Quality(n_topics=3, outlier_share=1 / 9, unassigned_share=1 / 9, npmi=0.1, diversity=1.0),
    )
    return TopicMap(meta=meta, topics=topics, documents=documents), texts
