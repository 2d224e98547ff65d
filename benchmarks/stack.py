"""The serving stack for benchmarks: a real redis-server, the API (uvicorn) and nginx with our config.

``serving(workers)`` starts them in a temporary folder and yields where to reach them, a key, and
the job store; ``store_finished_job`` puts a finished job (a real corpus from the Debian descriptions,
a synthetic map: serving does not depend on how the map was made) into the store.
"""

from __future__ import annotations

import gzip
import json
import math
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np

from tests.integration.servers import Redis, free_port, service_env, wait_for
from worker.contracts import (
    DocumentCounts,
    Documents,
    EmbeddingInfo,
    JobRecord,
    Meta,
    PipelineParams,
    Quality,
    Term,
    Topic,
    TopicMap,
)
from worker.jobstore import JobStore

ROOT = Path(__file__).resolve().parents[1]
DEBIAN = ROOT.parent / "shared" / "data" / "debian-packages.jsonl.gz"


def corpus_texts(n: int) -> list[str]:
    if DEBIAN.exists():
        with gzip.open(DEBIAN, "rt", encoding="utf-8") as handle:
            texts = [json.loads(line)["text"] for _, line in zip(range(n), handle, strict=False)]
    else:
        texts = [f"document {i} about packages, libraries and tools" for i in range(n)]
    return (texts * (n // len(texts) + 1))[:n]


def synthetic_map(n: int, n_topics: int = 60, seed: int = 42) -> TopicMap:
    """``n`` documents in ``n_topics`` Gaussian blobs of Zipf-like sizes, 20% flagged as outliers."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_topics + 1) ** 0.8
    topic = rng.choice(n_topics, size=n, p=weights / weights.sum())
    side = math.ceil(math.sqrt(n_topics))
    centres = np.stack([np.arange(n_topics) % side, np.arange(n_topics) // side], axis=1) * 4.0
    centres += rng.normal(0, 0.6, centres.shape)
    spread = 0.25 + 0.6 * np.sqrt(np.bincount(topic, minlength=n_topics) / n * n_topics) / 4
    xy = centres[topic] + rng.normal(0, 1, (n, 2)) * spread[topic, None]
    documents = Documents(
        id=[str(i) for i in range(n)],
        x=np.round(xy[:, 0], 4).tolist(),
        y=np.round(xy[:, 1], 4).tolist(),
        topic=topic.tolist(),
        outlier=(rng.random(n) < 0.2).tolist(),
    )
    sizes = np.bincount(topic, minlength=n_topics)
    topics = [
        Topic(
            id=t,
            label=f"topic {t} · terms",
            terms=[Term(term=f"term{t}_{k}", weight=1.0 / (k + 1)) for k in range(10)],
            size=int(sizes[t]),
            x=float(centres[t, 0]),
            y=float(centres[t, 1]),
            representative_documents=[str(i) for i in range(5)],
        )
        for t in range(n_topics)
    ]
    meta = Meta(
        n_documents=n,
        params=PipelineParams(),
        versions={},
        seed=seed,
        embedding=EmbeddingInfo(model="synthetic", backend="none", device="cpu", dimensions=384, unique_documents=n),
        timings_s={},
        peak_rss_mb=0.0,
        quality=Quality(n_topics=n_topics, outlier_share=0.2, unassigned_share=0.0, npmi=0.1, diversity=0.9),
    )
    return TopicMap(meta=meta, topics=topics, documents=documents)


def store_finished_job(store: JobStore, owner: str, n: int, n_topics: int = 60) -> str:
    texts = corpus_texts(n)
    ids = [str(i) for i in range(n)]
    sha = store.put_corpus(texts, ids, [{} for _ in range(n)])
    job_id = uuid.uuid4().hex
    now = time.time()
    counts = DocumentCounts(received=n, dropped=0, truncated=0, used=n)
    store.create(
        JobRecord(id=job_id, owner=owner, created_at=now, params=PipelineParams(), corpus=sha, documents=counts)
    )
    store.put_map(job_id, synthetic_map(n, n_topics))
    store.update(job_id, state="succeeded", started_at=now, finished_at=now)
    return job_id


@dataclass
class Stack:
    base: str
    """The site through nginx, e.g. http://127.0.0.1:8080"""
    key: str
    owner: str
    store: JobStore
    api_pid: int


@contextmanager
def serving(workers: int, **settings: str) -> Iterator[Stack]:
    """redis-server, ``workers`` uvicorn processes and nginx (nginx/topicmap.conf), stopped on exit."""
    from api.security import new_key

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        redis_server = Redis(folder / "redis")
        redis_server.start()
        processes: list[subprocess.Popen[bytes]] = []
        try:
            key, digest = new_key()
            api_port, http_port = free_port(), free_port()
            env = service_env(
                redis_server.url, TOPICMAP_API_KEYS=f"bench:{digest}", TOPICMAP_LOG_LEVEL="WARNING", **settings
            )
            uvicorn = [str(ROOT / ".venv" / "bin" / "uvicorn"), "api.main:app", "--host", "127.0.0.1"]
            uvicorn += ["--port", str(api_port), "--workers", str(workers), "--no-access-log"]
            processes.append(subprocess.Popen(uvicorn, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            nginx_dir = folder / "nginx"
            script = str(ROOT / "scripts" / "nginx-local.sh")
            subprocess.run(
                ["bash", script, str(nginx_dir), f"127.0.0.1:{http_port}", f"127.0.0.1:{api_port}"], check=True
            )
            nginx = shutil.which("nginx") or "/usr/sbin/nginx"
            conf = str(nginx_dir / "nginx.conf")
            processes.append(subprocess.Popen([nginx, "-p", str(nginx_dir), "-c", conf, "-g", "daemon off;"]))
            base = f"http://127.0.0.1:{http_port}"
            wait_for(lambda: httpx.get(f"{base}/api/health").status_code == 200, 60, "API through nginx")
            yield Stack(base, key, "bench", JobStore.from_url(redis_server.url), processes[0].pid)
        finally:
            for process in reversed(processes):
                process.terminate()
                process.wait(timeout=30)
            redis_server.stop()
