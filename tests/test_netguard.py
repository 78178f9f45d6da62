"""The network guard: only public http(s) hosts, unless the setting allows a private one."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from typing import Any

import pytest

from storage.netguard import RefusedURL, UnresolvableHost, address_kind, check_url, parse_allow

Resolver = Callable[..., list[tuple[Any, ...]]]


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names under .test resolve to the addresses a test puts here; anything else resolves as usual."""
    table: dict[str, list[str]] = {}
    real: Resolver = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        if isinstance(host, str) and host.endswith(".test"):
            if host not in table:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [info for address in table[host] for info in real(address, port, *args, **kwargs)]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


def test_loopback_is_refused_with_a_line_saying_how_to_allow_it() -> None:
    with pytest.raises(RefusedURL) as caught:
        check_url("http://127.0.0.1:8080/x")
    assert str(caught.value) == (
        "refused http://127.0.0.1:8080/x: 127.0.0.1 is a loopback address "
        "(set storage.allow_hosts to allow it)"
    )


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://10.1.2.3/", "a private address"),
        ("http://172.16.0.1/", "a private address"),
        ("http://192.168.1.1/admin", "a private address"),
        ("http://[fc00::1]/", "a private address"),
        ("http://169.254.1.1/", "a link-local address"),
        ("http://[fe80::1]/", "a link-local address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://[fd00:ec2::254]/", "a cloud metadata address"),
        ("http://100.100.100.200/", "a cloud metadata address"),
        ("http://[::1]:9000/", "a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "a loopback address"),
        ("http://[::ffff:169.254.169.254]/", "a cloud metadata address"),
        ("http://0.0.0.0/", "an unspecified address"),
        ("http://224.0.0.1/", "a multicast address"),
        ("http://240.0.0.1/", "a reserved address"),
        ("http://100.64.0.1/", "not a public address"),
        ("http://2130706433/", "a loopback address"),  # 127.0.0.1 written as one number
        ("https://localhost/", "a loopback address"),
    ],
)
def test_addresses_inside_the_network_are_refused(url: str, kind: str) -> None:
    with pytest.raises(RefusedURL, match=re.escape(kind)):
        check_url(url)


@pytest.mark.parametrize(
    "url", ["http://93.184.216.34/article", "https://[2606:4700:4700::1111]/", "HTTPS://93.184.216.34:8443/"]
)
def test_public_addresses_pass(url: str) -> None:
    check_url(url)


def test_a_name_with_any_private_address_is_refused(fake_dns: dict[str, list[str]]) -> None:
    fake_dns["news.test"] = ["93.184.216.34"]
    fake_dns["sneaky.test"] = ["93.184.216.34", "10.0.0.5"]
    check_url("http://news.test/story")
    with pytest.raises(RefusedURL, match=r"refused http://sneaky\.test/: 10\.0\.0\.5 is a private address"):
        check_url("http://sneaky.test/")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://93.184.216.34/file", "not ftp:"),
        ("file:///etc/passwd", "not file:"),
        ("javascript:alert(1)", "not javascript:"),
        ("gopher://93.184.216.34/", "not gopher:"),
        ("example.com/article", "not no scheme"),
        ("http:///no-host", "no host name"),
        ("http://[::1/", "not a valid URL"),
        ("http://93.184.216.34:99999/", "not a valid URL"),
    ],
)
def test_only_http_and_https_urls_with_a_host(url: str, reason: str) -> None:
    with pytest.raises(RefusedURL, match=re.escape(reason)) as caught:
        check_url(url)
    assert "\n" not in str(caught.value)


def test_allow_by_address_network_and_name(fake_dns: dict[str, list[str]]) -> None:
    check_url("http://127.0.0.1:8080/", allow=["127.0.0.1"])
    check_url("http://[::ffff:127.0.0.1]/", allow=["127.0.0.1"])
    check_url("http://[::1]/", allow=["::1"])
    check_url("http://[::1]/", allow=["[::1]"])
    check_url("http://10.20.30.40/wiki", allow=["10.0.0.0/8"])
    with pytest.raises(RefusedURL, match=r"192\.168\.1\.1 is a private address"):
        check_url("http://192.168.1.1/", allow=["10.0.0.0/8"])
    with pytest.raises(RefusedURL, match=r"169\.254\.169\.254 is a cloud metadata address"):
        check_url("http://169.254.169.254/", allow=["10.0.0.0/8", "127.0.0.1"])
    check_url("http://LocalHost/", allow=["localhost."])
    fake_dns["wiki.test"] = ["10.1.1.1"]
    check_url("http://wiki.test/", allow=["wiki.test"])
    with pytest.raises(RefusedURL):
        check_url("http://wiki.test/", allow=["other.test"])


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "not a host!", "1.2.3.4/abc", "::1::2"])
def test_a_bad_allow_entry_is_named(entry: str) -> None:
    with pytest.raises(ValueError, match=r"^storage\.allow_hosts: .* is not a host name, IP address or net"):
        parse_allow([entry])


def test_an_unresolvable_host_is_not_a_refusal(fake_dns: dict[str, list[str]]) -> None:
    with pytest.raises(UnresolvableHost, match=r"cannot resolve host nowhere\.test") as caught:
        check_url("http://nowhere.test/")
    assert not isinstance(caught.value, RefusedURL)


def test_address_kind_of_a_public_address_is_none() -> None:
    import ipaddress

    assert address_kind(ipaddress.ip_address("8.8.8.8")) is None
    assert address_kind(ipaddress.ip_address("2001:4860:4860::8888")) is None
    assert address_kind(ipaddress.ip_address("::ffff:10.0.0.1")) == "a private address"
