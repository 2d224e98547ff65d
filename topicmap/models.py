"""Which embedding models a process may load, by name: light (no torch), so the API can check a
job's model before queueing it and the worker can refuse anything else (topicmap/pipeline/encoders.py
loads them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from topicmap.schemas import DEFAULT_MODEL

DEFAULT_MODEL_ALIASES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}


@dataclass
class ModelRegistry:
    """The models a process may load: named ones (``name`` → directory) besides the shipped default,
    and, where ``allow_paths`` (the command line, on one's own machine), any local model directory.
    A service's workers allow names only (``TOPICMAP_MODELS``): a job cannot make a worker read an
    arbitrary path, nor learn from the error which paths exist."""

    named: dict[str, Path] = field(default_factory=dict)
    allow_paths: bool = True


MODELS = ModelRegistry()


def configure_models(spec: str, *, allow_paths: bool) -> None:
    """``spec``: comma-separated ``name=directory`` entries (the TOPICMAP_MODELS setting)."""
    MODELS.named = parse_models(spec)
    MODELS.allow_paths = allow_paths


def parse_models(spec: str) -> dict[str, Path]:
    named = {}
    for entry in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, directory = entry.partition("=")
        if not sep or not name.strip() or not directory.strip():
            raise ValueError(f"bad model entry {entry[:60]!r}: expected name=directory")
        named[name.strip()] = Path(directory.strip()).expanduser()
    return named


def model_names() -> list[str]:
    return [DEFAULT_MODEL, *MODELS.named]


def offered(spec: str, model: str) -> bool:
    """Whether a service configured with ``spec`` (TOPICMAP_MODELS) offers ``model`` by name."""
    return model in DEFAULT_MODEL_ALIASES or model in parse_models(spec)
