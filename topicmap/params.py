"""The parameters of a job: everything that shapes a topic map, with the defaults that give a good map
for most corpora. Part of the contract (topicmap/schemas.py re-exports them); pydantic only."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from topicmap.seed_topics import MAX_SEED_TOPICS, SeedTopic
from topicmap.view_schemas import TimeUnit

DEFAULT_MODEL = "all-MiniLM-L6-v2"

LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "gu": "Gujarati", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian",
    "ja": "Japanese", "ko": "Korean", "ms": "Malay", "nb": "Norwegian", "nl": "Dutch", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sv": "Swedish", "tr": "Turkish",
    "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip
"""The languages with stop words (ISO 639-1 code: English name): those of the ``stop-words`` package
(topicmap/languages.py; a test keeps the two the same)."""
Language = Literal[
    "ar", "bg", "ca", "cs", "da", "de", "el", "en", "es", "fa", "fi", "fr", "gu", "he", "hi", "hu", "id",
    "it", "ja", "ko", "ms", "nb", "nl", "pl", "pt", "ro", "ru", "sk", "sv", "tr", "uk", "vi", "zh",
]  # fmt: skip
MAX_LANGUAGES = 5


class PipelineParams(BaseModel):
    """Everything that shapes a topic map. Defaults give a good map for most corpora."""

    model_config = ConfigDict(extra="forbid")

    min_topic_size: int | None = Field(
        default=None,
        ge=2,
        le=100_000,
        description="Smallest group of documents that can form a topic (HDBSCAN min_cluster_size). "
        "Default: automatic, n / 15 (at least 2) under 150 documents, then 10, growing as n / 1000 (at most 100).",
        examples=[10],
    )
    n_topics: int | None = Field(
        default=None,
        ge=2,
        le=1_000,
        description="Target number of topics: the closest topics are merged until at most this many "
        "remain. Default: automatic (as many as the clustering finds).",
        examples=[20],
    )
    n_neighbors: int = Field(
        default=15, ge=2, le=200, description="UMAP neighbourhood size: larger values give broader, fewer topics."
    )
    n_components: int = Field(default=5, ge=2, le=50, description="Dimensions UMAP reduces to before clustering.")
    min_dist: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        description="UMAP minimum distance for the 2-D map (spacing of points; clustering uses 0).",
    )
    keep_outliers: bool = Field(
        default=False,
        description="Keep documents that fit no topic as topic -1 instead of assigning them to their "
        "nearest topic (they keep an `outlier` flag either way).",
    )
    seed: int = Field(
        default=42, ge=0, le=2**31 - 1, description="Random seed: same corpus + params + seed → same map."
    )
    model: str = Field(
        default=DEFAULT_MODEL,
        min_length=1,
        max_length=500,
        description="Embedding model: `all-MiniLM-L6-v2` (shipped offline) or a local "
        "sentence-transformers model directory.",
    )
    class_column: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="A metadata column (an uploaded column or a `meta` key) whose values are classes "
        "(a team, a product): the map gains `per_class`, topic x class counts and shares.",
        examples=["section"],
    )
    time_column: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="A column of dates (ISO 8601, e-mail dates, 1/15/2024 or 15.01.2024, March 2024, 2024-Q1, years, "
        "Unix seconds or ms): the map gains `over_time`, topic x time bin counts. Values that do not parse are "
        "counted in `over_time.unparsed`.",
        examples=["date"],
    )
    time_bins: TimeUnit | Literal["auto"] = Field(
        default="auto",
        description="Width of the time bins: `auto` picks, of the units giving 8 to 60 bins (half of them "
        "holding a document), the finest with 50 documents a bin on average, else the coarsest.",
    )
    n_terms: int = Field(default=10, ge=1, le=50, description="Key terms reported per topic.")
    n_representative: int = Field(default=5, ge=1, le=20, description="Representative documents reported per topic.")
    one_per_duplicate_group: bool = Field(
        default=False,
        description="Cluster one representative per near-duplicate group (templates, re-posts) and give the "
        "others its topic, so piles of the same text do not make topics of their own.",
    )
    seed_topics: list[SeedTopic] = Field(
        default_factory=list,
        description=f"Topics you already know (at most {MAX_SEED_TOPICS}): the documents whose embedding is "
        "close enough to a seed's (its label and description) form that topic, named as given; the rest are "
        "clustered as usual. A seed nothing matches is reported in `warnings`.",
        examples=[[{"label": "billing", "description": "invoices, refunds, charges"}]],
    )
    languages: list[Language] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_LANGUAGES,
        description="The texts' languages (ISO 639-1 codes such as `fr`, or names such as `French`), whose stop "
        "words are left out of the terms with English's. Default: told from 1,000 of the texts "
        "(`meta.resolved.languages`).",
        examples=[["fr"]],
    )

    @field_validator("languages", mode="before")
    @classmethod
    def _language_codes(cls, value: object) -> object:
        """ "French", "FR" and "fr-CA" are "fr"; each language once."""
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return value  # pydantic says what is wrong
        return list(dict.fromkeys(language_code(item) for item in value))

    @field_validator("seed_topics")
    @classmethod
    def _few_seed_topics(cls, value: list[SeedTopic]) -> list[SeedTopic]:
        if len(value) > MAX_SEED_TOPICS:
            raise ValueError(f"at most {MAX_SEED_TOPICS} seed topics ({len(value)} given)")
        labels = [seed.label.casefold() for seed in value]
        if len(set(labels)) < len(labels):
            raise ValueError("two seed topics have the same label")
        return value


_CODES_BY_NAME = {name.casefold(): code for code, name in LANGUAGE_NAMES.items()} | {"no": "nb", "bokmål": "nb"}


def language_code(text: str) -> str:
    """The ISO 639-1 code of a language given by code, BCP 47 tag ("pt-BR") or English name, any case;
    ``text`` itself, stripped and lowercased, when it is none of them."""
    lowered = text.strip().casefold()
    return _CODES_BY_NAME.get(lowered) or lowered.replace("_", "-").split("-")[0]
