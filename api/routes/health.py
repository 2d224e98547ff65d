"""Liveness, readiness and service statistics."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.access import AdminDep
from api.deps import SettingsDep, StoreDep

router = APIRouter(tags=["health"])


@router.get("/health", summary="Is the API process alive")
def health() -> dict[str, str]:
    """Always `{"status": "ok"}` while the process serves requests."""
    return {"status": "ok"}


@router.get(
    "/health/ready", summary="Can jobs run now", responses={503: {"description": "Redis or every worker is away"}}
)
def ready(settings: SettingsDep, store: StoreDep) -> JSONResponse:
    """Ready when Redis answers and a worker heartbeat was seen within `worker_timeout_s`."""
    checks: dict[str, Any] = {}
    try:
        checks["redis"] = store.ping()
        workers = [w for w in store.workers() if time.time() - w["at"] < settings.worker_timeout_s]
        checks["workers"] = len(workers)
    except Exception as exc:
        checks["redis"], checks["error"] = False, type(exc).__name__
        checks["workers"] = 0
    ok = bool(checks["redis"]) and checks["workers"] > 0
    return JSONResponse({"status": "ready" if ok else "not ready", **checks}, status_code=200 if ok else 503)


@router.get("/stats", summary="Queue, workers, jobs and throughput (admins)")
def stats(settings: SettingsDep, store: StoreDep, _admin: AdminDep) -> dict[str, Any]:
    """Queue length, live workers, jobs by state, recent job durations and documents per second.
    Admins only: it names the workers' hosts.

    `stored_bytes_by_owner` is every byte each person makes Redis hold now (corpora, embeddings, map
    versions, renderings, assignments; what they submitted, until it expires), against
    `limits.max_stored_bytes_per_key`; kept maps count there too, and `kept_bytes_by_owner` shows the
    bytes of their bundles in the map archive. `kept_maps_behind_archive` names the kept maps whose
    latest versions are not in the archive yet (archiving failed; the webhook worker retries every
    `TOPICMAP_ARCHIVE_RETRY_S`): a list that stays long means the archive is unreachable.

    `jobs_by_state` counts queued and running jobs now, and every job that succeeded, failed or was
    cancelled since the store began (counters: reading them costs the same for 10 jobs or 10 million).
    """
    now = time.time()
    workers = [w for w in store.workers() if now - w["at"] < settings.worker_timeout_s]
    counts = store.counters()
    durations = store.recent_durations()
    seconds = sum(s for s, _ in durations)
    return {
        "queue_length": counts["queued"],
        "workers_alive": len(workers),
        "workers": workers,
        "jobs_by_state": {state: counts[state] for state in ("queued", "running", "succeeded", "failed", "cancelled")},
        "jobs_submitted": counts["submitted"],
        "recent_jobs": len(durations),
        "recent_mean_duration_s": round(seconds / len(durations), 2) if durations else None,
        "recent_documents_per_s": round(sum(n for _, n in durations) / seconds, 1) if seconds else None,
        "stored_bytes_by_owner": store.held_by_owner(),
        "kept_bytes_by_owner": store.kept_bytes_by_owner(),
        "kept_maps_behind_archive": store.archives_behind(),
        "limits": settings.limits(),
    }
