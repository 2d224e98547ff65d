"""The map archive: where kept maps live, as bundles, outside Redis.

A directory by default (``TOPICMAP_ARCHIVE_DIR``, a volume in compose), or an S3-compatible bucket
(``TOPICMAP_ARCHIVE_S3_BUCKET``, through boto3; credentials from the usual ``AWS_*`` variables).
One object per kept map: ``{job}.topicmap``, replaced whole when the map changes (a new version,
a new name), so the archive always holds a complete bundle of every version.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from topicmap.bundle import SUFFIX


class MapArchive(Protocol):
    where: str

    def put(self, name: str, data: bytes) -> None: ...
    def get(self, name: str) -> bytes | None: ...
    def delete(self, name: str) -> None: ...
    def names(self) -> list[str]: ...


def object_name(job_id: str) -> str:
    return job_id + SUFFIX


class DirectoryArchive:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)

    def put(self, name: str, data: bytes) -> None:
        """Written beside and renamed: a reader never sees half a bundle."""
        self.path.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, name: str) -> bytes | None:
        path = self.path / name
        return path.read_bytes() if path.is_file() else None

    def delete(self, name: str) -> None:
        (self.path / name).unlink(missing_ok=True)

    def names(self) -> list[str]:
        if not self.path.is_dir():
            return []
        return sorted(p.name for p in self.path.iterdir() if p.is_file() and p.name.endswith(SUFFIX))


class S3Archive:
    def __init__(self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None, region: str | None = None):
        import boto3  # type: ignore[import-untyped]

        self.bucket, self.prefix = bucket, prefix
        self.client: Any = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None)
        self.where = f"s3://{bucket}/{prefix}"

    def put(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=data)

    def get(self, name: str) -> bytes | None:
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self.prefix + name)
        except self.client.exceptions.NoSuchKey:
            return None
        return bytes(found["Body"].read())

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)

    def names(self) -> list[str]:
        found: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
            found += [item["Key"][len(self.prefix) :] for item in page.get("Contents", [])]
        return sorted(name for name in found if name.endswith(SUFFIX) and "/" not in name)


def open_archive(
    directory: str, *, s3_bucket: str = "", s3_prefix: str = "", s3_endpoint: str = "", s3_region: str = ""
) -> MapArchive:
    """The archive the settings name: the bucket when one is set, else the directory."""
    if s3_bucket:
        return S3Archive(s3_bucket, prefix=s3_prefix, endpoint_url=s3_endpoint, region=s3_region)
    return DirectoryArchive(Path(directory))
