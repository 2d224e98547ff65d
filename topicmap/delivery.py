"""One webhook attempt: the signed body, a POST to the address that was checked, and what to do next.

The URL's host is resolved once, every address is checked (topicmap/callbacks.py), and the request
connects to the first checked address: the URL keeps its host for the ``Host`` header and, over
https, for SNI and certificate verification (httpcore's ``sni_hostname``), so a DNS answer that
changes between the check and the connection (DNS rebinding) cannot send it elsewhere. The lookup,
the connection and the whole exchange share one timeout, even when the receiver trickles bytes.

The worker's task (worker/webhooks.py) runs an attempt and, as Celery retries, schedules the next.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from topicmap.callbacks import CallbackRefused, UnresolvedHost, check_callback_url, key_secret, sign
from topicmap.schemas import CallbackAttempt, JobRecord
from topicmap.settings import SharedSettings

USER_AGENT = "topicmap-webhooks/1"


def webhook_body(record: JobRecord) -> bytes:
    base = f"/api/jobs/{record.id}"
    links = {"self": base}
    if record.state == "succeeded":
        links.update(map=f"{base}/map", figure=f"{base}/figure?kind=map", export=f"{base}/export.csv")
    body = {
        "event": f"job.{record.state}",
        "job_id": record.id,
        "state": record.state,
        "finished_at": record.finished_at,
        "documents": record.documents.used,
        "error": record.error.model_dump() if record.error else None,
        "links": links,
    }
    return json.dumps(body, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Pinned:
    """A request to ``url`` that connects to ``address`` (checked) and names the URL's host."""

    url: str
    headers: dict[str, str]
    extensions: dict[str, str]


def pinned(url: str, address: str) -> Pinned:
    """The request for ``url`` aimed at ``address``: Host header and TLS server name from the URL."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if ipaddress.ip_address(address.split("%", 1)[0]).version == 6 else address
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    if ":" in host and not host.startswith("["):  # an IPv6 literal in the URL itself
        host_header = f"[{host}]" if parts.port is None else f"[{host}]:{parts.port}"
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return Pinned(urlunsplit(parts._replace(netloc=netloc)), {"Host": host_header}, extensions)


async def attempt_delivery(record: JobRecord, settings: SharedSettings) -> CallbackAttempt:
    """POST the signed body once; the attempt as recorded on the job (status or error, duration)."""
    assert record.callback is not None
    started = time.time()
    body = webhook_body(record)
    timestamp = int(started)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Topicmap-Event": f"job.{record.state}",
        "X-Topicmap-Delivery": f"{record.id}.{len(record.callback.attempts) + 1}",
        "X-Topicmap-Timestamp": str(timestamp),
        "X-Topicmap-Signature": sign(key_secret(settings.webhook_secret, record.owner), timestamp, body),
    }
    url = record.callback.url
    status, error = None, None

    async def check_and_post() -> httpx.Response:
        addresses = await asyncio.to_thread(
            check_callback_url,
            url,
            allow_private=settings.webhook_allow_private,
            allowed_hosts=settings.webhook_hosts,
        )
        request = pinned(url, addresses[0])
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as http:
            return await http.post(
                request.url,
                content=body,
                headers={**headers, **request.headers},
                extensions=request.extensions,
                timeout=settings.webhook_timeout_s,
            )

    try:  # the whole exchange, the address lookup included
        response = await asyncio.wait_for(check_and_post(), settings.webhook_timeout_s)
        status = response.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except UnresolvedHost as exc:  # DNS may be back next time: retried like a network error
        error = f"dns: {exc}"
    except CallbackRefused as exc:
        error = f"refused: {exc}"
    except (TimeoutError, httpx.TimeoutException):
        error = f"timeout after {settings.webhook_timeout_s:g} s"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    return CallbackAttempt(at=started, status=status, error=error, duration_ms=round((time.time() - started) * 1000, 1))


def next_state(attempt: CallbackAttempt, number: int, age_s: float, delay_s: float, settings: SharedSettings) -> str:
    """``delivered``, ``failed`` (refused, out of attempts, or the next would come too late) or
    ``pending`` (try again after ``delay_s``)."""
    if attempt.status is not None and 200 <= attempt.status < 300:
        return "delivered"
    refused = attempt.error is not None and attempt.error.startswith("refused")
    if refused or number >= settings.webhook_max_attempts or age_s + delay_s > settings.webhook_retry_s:
        return "failed"
    return "pending"
