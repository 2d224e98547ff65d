"""Webhook URLs and signatures: which callback targets are allowed (SSRF), and how bodies are signed.

A callback URL is refused unless it is http(s), has no credentials in it, and every address its
host resolves to is globally routable (``ipaddress``'s ``is_global``, after unwrapping IPv4 inside
IPv6: mapped, 6to4 and Teredo): loopback, private (RFC 1918, ULA), shared (100.64.0.0/10),
link-local (cloud metadata at 169.254.169.254), multicast, reserved, documentation and unspecified
addresses are refused unless the operator allows private targets or lists the host in
``webhook_allowed_hosts``. A host that does not resolve is :class:`UnresolvedHost`: refused at
submit, retried like a network error at delivery (DNS can fail for a moment). The check runs at submit and
again before every delivery (DNS answers can change).

Signature (``X-Topicmap-Signature: v1=<hex>``): HMAC-SHA256 with the key's webhook secret over
``"{X-Topicmap-Timestamp}.{raw body}"``; receivers recompute it and reject old timestamps.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import urlsplit

Resolver = Callable[[str, int], list[str]]
MAX_URL_LENGTH = 2000


class CallbackRefused(ValueError):
    """The callback URL may not be called; the message says why, for the person who sent it."""


class UnresolvedHost(CallbackRefused):
    """The host has no address now (which may change: deliveries retry it)."""


def resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def unsafe_reason(address: str) -> str | None:
    """Why ``address`` may not be called, or None when it is globally routable."""
    ip: Any = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):  # an IPv4 address inside: judge that one
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            ip = embedded
    # Most specific first: ipaddress counts link-local and unspecified addresses as private too.
    for reason in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{reason}"):
            return reason.replace("_", "-")
    return None if ip.is_global else "non-public"


def check_callback_url(
    url: str,
    *,
    allow_private: bool = False,
    allowed_hosts: Collection[str] = (),
    resolver: Resolver = resolve,
) -> list[str]:
    """Raise :class:`CallbackRefused` unless ``url`` is a public http(s) target (or explicitly
    allowed); return the addresses that were checked, so the call connects to one of them (no
    second lookup that could answer otherwise: DNS rebinding)."""
    if len(url) > MAX_URL_LENGTH:
        raise CallbackRefused(f"callback_url is longer than {MAX_URL_LENGTH} characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise CallbackRefused("callback_url must be an http:// or https:// URL")
    if parts.username or parts.password:
        raise CallbackRefused("callback_url must not carry credentials (user:password@)")
    host = parts.hostname
    if not host:
        raise CallbackRefused("callback_url has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise CallbackRefused("callback_url has an invalid port") from None
    try:
        addresses = resolver(host, port)
    except OSError:
        raise UnresolvedHost(f"callback_url host {host!r} does not resolve") from None
    if not addresses:
        raise UnresolvedHost(f"callback_url host {host!r} has no address")
    if f"{host}:{port}" in allowed_hosts or host in allowed_hosts or allow_private:
        return addresses
    for address in addresses:
        reason = unsafe_reason(address)
        if reason:
            raise CallbackRefused(
                f"callback_url resolves to a {reason} address ({address}); only public addresses can be called"
            )
    return addresses


def key_secret(master: str, owner: str) -> str:
    """The webhook secret of one API key, derived from the server's master secret."""
    return hmac.new(master.encode(), f"topicmap-webhook:{owner}".encode(), hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now: float, tolerance_s: float = 300) -> bool:
    """What a receiver does (docs/api.md shows the same in a few lines): recompute, compare, check age."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)
