"""The library: kept maps as people see them (name, owner, tags, sizes), and how it is searched."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from topicmap.bundle import KeptInfo, Manifest


class LibraryEntry(BaseModel):
    job: str = Field(description="The kept map's job id: open it as any job (`/api/jobs/{job}`).")
    owner: str
    name: str
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    model: str
    documents: int
    topics: int
    versions: int = Field(description="Map versions kept (the archive has every one).")
    kept_at: float
    last_edited: float = Field(description="When the newest version was made (Unix seconds).")
    bytes: int = Field(description="Size of the map's bundle in the archive (counted in the owner's quota).")

    @classmethod
    def of(cls, manifest: Manifest, kept: KeptInfo, job: str, size: int, last_edited: float) -> LibraryEntry:
        return cls(
            job=job,
            owner=kept.owner,
            name=kept.name,
            description=kept.description,
            tags=kept.tags,
            model=manifest.model,
            documents=manifest.documents,
            topics=manifest.topics,
            versions=len(manifest.versions),
            kept_at=kept.kept_at,
            last_edited=last_edited,
            bytes=size,
        )


def matching(entries: Iterable[LibraryEntry], *, tag: str | None = None, text: str | None = None) -> list[LibraryEntry]:
    """Entries with ``tag`` (exactly) and ``text`` in the name, description or tags (any case), newest
    edit first."""
    needle = (text or "").strip().lower()
    found = [
        entry
        for entry in entries
        if (tag is None or tag in entry.tags)
        and (not needle or needle in " ".join([entry.name, entry.description, *entry.tags]).lower())
    ]
    return sorted(found, key=lambda entry: -entry.last_edited)
