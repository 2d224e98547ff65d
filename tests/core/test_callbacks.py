"""Which callback URLs may be called (SSRF), and the webhook signature."""

from __future__ import annotations

import pytest

from topicmap.callbacks import CallbackRefused, UnresolvedHost, check_callback_url, key_secret, sign, verify
from topicmap.delivery import pinned


def resolver(*addresses: str):  # type: ignore[no-untyped-def]
    return lambda host, port: list(addresses)


def test_a_public_https_url_is_allowed() -> None:
    check_callback_url("https://hooks.example.org/topicmap", resolver=resolver("93.184.216.34"))
    check_callback_url("http://hooks.example.org:8080/x?y=1", resolver=resolver("2606:2800:220:1::1"))


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("fe80::1", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "non-public"),  # shared address space (carrier-grade NAT)
        ("2002:c0a8:101::1", "private"),  # 6to4 around 192.168.1.1
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "private"),  # Teredo whose client is 10.0.0.1
        ("192.0.2.10", "private"),  # documentation (TEST-NET-1)
    ],
)
def test_non_public_addresses_are_refused(address: str, reason: str) -> None:
    with pytest.raises(CallbackRefused, match=reason):
        check_callback_url("https://innocent.example.org/", resolver=resolver(address))


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    with pytest.raises(CallbackRefused, match="private"):
        check_callback_url("https://a.example.org/", resolver=resolver("93.184.216.34", "10.0.0.1"))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "http:// or https://"),
        ("gopher://example.org/", "http:// or https://"),
        ("ftp://example.org/x", "http:// or https://"),
        ("https://user:pw@example.org/", "credentials"),
        ("https:///nohost", "no host"),
        ("https://example.org:99999/", "invalid port"),
        ("https://example.org/" + "a" * 2000, "longer than"),
    ],
)
def test_malformed_or_dangerous_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(CallbackRefused, match=message):
        check_callback_url(url, resolver=resolver("93.184.216.34"))


def test_unresolvable_hosts_are_refused() -> None:
    def fails(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    with pytest.raises(UnresolvedHost, match="does not resolve"):  # a CallbackRefused (422 at submit)
        check_callback_url("https://nowhere.invalid/", resolver=fails)


def test_operators_can_allow_private_targets() -> None:
    check_callback_url("http://10.0.0.7:9000/hook", allowed_hosts={"10.0.0.7:9000"}, resolver=resolver("10.0.0.7"))
    check_callback_url("http://receiver/hook", allowed_hosts={"receiver"}, resolver=resolver("10.0.0.8"))
    check_callback_url("http://127.0.0.1:9/", allow_private=True, resolver=resolver("127.0.0.1"))
    with pytest.raises(CallbackRefused):  # the allowlist names host and port
        check_callback_url("http://10.0.0.7:9001/", allowed_hosts={"10.0.0.7:9000"}, resolver=resolver("10.0.0.7"))
    with pytest.raises(CallbackRefused, match="http"):  # never another scheme
        check_callback_url("file:///x", allow_private=True, resolver=resolver("127.0.0.1"))


def test_signatures_verify_and_detect_tampering_and_age() -> None:
    secret = key_secret("master", "alice")
    assert secret != key_secret("master", "bob") and secret != key_secret("other", "alice")
    body = b'{"job_id":"x","state":"succeeded"}'
    signature = sign(secret, 1_700_000_000, body)
    assert signature.startswith("v1=")
    assert verify(secret, "1700000000", body, signature, now=1_700_000_010)
    assert not verify(secret, "1700000000", body + b" ", signature, now=1_700_000_010)
    assert not verify(key_secret("master", "bob"), "1700000000", body, signature, now=1_700_000_010)
    assert not verify(secret, "1700000000", body, signature, now=1_700_001_000)  # replayed later
    assert not verify(secret, "soon", body, signature, now=1_700_000_010)


def test_the_checked_addresses_are_returned_for_the_call_to_use() -> None:
    found = check_callback_url("https://a.example.org/", resolver=resolver("93.184.216.34", "2606:2800:220:1::1"))
    assert found == ["93.184.216.34", "2606:2800:220:1::1"]


@pytest.mark.parametrize(
    ("url", "address", "target", "host"),
    [
        ("https://hooks.example.org/t?x=1", "93.184.216.34", "https://93.184.216.34/t?x=1", "hooks.example.org"),
        ("http://hooks.example.org:8080/t", "2606:2800:220:1::1", "http://[2606:2800:220:1::1]:8080/t",
         "hooks.example.org:8080"),
    ],
)  # fmt: skip
def test_a_call_connects_to_the_checked_address_and_names_the_host(
    url: str, address: str, target: str, host: str
) -> None:
    request = pinned(url, address)
    assert request.url == target and request.headers == {"Host": host}
    assert request.extensions == ({"sni_hostname": "hooks.example.org"} if url.startswith("https") else {})
