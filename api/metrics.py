"""Prometheus metrics at /metrics: HTTP requests, and job, queue and worker figures read from Redis.

/metrics is served by the app for Prometheus on the private network; nginx refuses it from outside.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.config import ApiSettings
from topicmap.store import JobStore


class JobCollector(Collector):
    """Reads the job store at scrape time, so every API replica reports the same numbers."""

    def __init__(self, store: Callable[[], JobStore], settings: ApiSettings) -> None:
        self.store = store
        self.settings = settings

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        store = self.store()
        now = time.time()
        counts = store.counters()  # counters and set sizes: no key scan, whatever the number of jobs
        jobs = GaugeMetricFamily("topicmap_jobs", "Jobs queued or running now", labels=["state"])
        for state in ("queued", "running"):
            jobs.add_metric([state], counts[state])
        yield jobs
        totals = CounterMetricFamily("topicmap_jobs_finished", "Jobs that reached a final state", labels=["state"])
        for state in ("succeeded", "failed", "cancelled"):
            totals.add_metric([state], counts[state])
        yield totals
        yield CounterMetricFamily("topicmap_jobs_submitted", "Jobs submitted", value=counts["submitted"])
        yield GaugeMetricFamily("topicmap_queue_length", "Jobs waiting for a worker", value=store.queue_length())
        beats = store.workers()
        alive = [b for b in beats if now - b["at"] < self.settings.worker_timeout_s]
        yield GaugeMetricFamily("topicmap_workers_alive", "Workers with a recent heartbeat", value=len(alive))
        age = GaugeMetricFamily(
            "topicmap_worker_heartbeat_age_seconds", "Seconds since each worker's heartbeat", labels=["worker"]
        )
        for beat in beats:
            age.add_metric([beat["name"]], now - beat["at"])
        yield age
        durations = store.recent_durations()
        seconds = sum(s for s, _ in durations)
        yield GaugeMetricFamily(
            "topicmap_job_duration_seconds_mean",
            "Mean duration of recent jobs",
            value=seconds / len(durations) if durations else 0,
        )
        yield GaugeMetricFamily(
            "topicmap_documents_per_second",
            "Documents per second over recent jobs",
            value=sum(n for _, n in durations) / seconds if seconds else 0,
        )


class RequestMetrics:
    """Plain ASGI middleware (no task group in between, so streaming and errors pass through as they are)."""

    def __init__(self, app: ASGIApp, requests: Counter, latency: Histogram) -> None:
        self.app = app
        self.requests = requests
        self.latency = latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")  # set by the router on this scope
            self.requests.labels(scope["method"], route, str(status)).inc()
            self.latency.labels(scope["method"], route).observe(time.perf_counter() - start)


FAILED_TOKENS = Counter(
    "topicmap_share_token_failures", "Share-link tokens that named no live link for the map asked", registry=None
)


def install_metrics(app: FastAPI, store: Callable[[], JobStore], settings: ApiSettings) -> None:
    registry = CollectorRegistry()
    registry.register(FAILED_TOKENS)
    requests = Counter("topicmap_http_requests", "HTTP requests", ["method", "route", "status"], registry=registry)
    latency = Histogram(
        "topicmap_http_request_duration_seconds", "HTTP request latency", ["method", "route"], registry=registry
    )
    registry.register(JobCollector(store, settings))
    app.add_middleware(RequestMetrics, requests=requests, latency=latency)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
