"""Seed topics as a job gives them: topics a person already knows (topicmap/pipeline/seeds.py uses them)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_SEED_TOPICS = 50
SEED_WARNING = "seed topic"
"""Warnings about seed topics start with this (they are the pipeline's, not the views')."""


class SeedTopic(BaseModel):
    """A topic a person knows: the documents close enough to it form it, under this label."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=100, description="The topic's name (kept as given).")
    description: str = Field(
        default="", max_length=500, description="A few words of what belongs to it (embedded with the label)."
    )

    @field_validator("label")
    @classmethod
    def _label_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a seed topic needs a label")
        return value.strip()
