"""Keeping a URL handed to the bot from becoming a way into the host's own network.

Anyone in the chat can ask the bot to read a link, so a link is untrusted input: without this check
``http://127.0.0.1:5432/``, ``http://10.0.0.7/admin`` or the cloud metadata service at
``http://169.254.169.254/`` would be fetched from inside the network the bot runs in (server-side
request forgery). The host is resolved and *every* address it resolves to must be public; the
fetcher checks again at connect time, so a name that resolves to a public address here and to a
private one a moment later (DNS rebinding) is refused too.

The setting ``storage.allow_hosts`` lists host names, addresses and networks that are allowed
anyway, for an intranet wiki or a feed served on the same machine; the tests use it for their
loopback server.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SCHEMES = frozenset({"http", "https"})

# Cloud instance metadata services (AWS/GCP/Azure/OpenStack, AWS over IPv6, Alibaba): the prize of
# a forged request, since they hand out the machine's credentials. Named first in a refusal.
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(text) for text in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)

ALLOW_SETTING = "storage.allow_hosts"


class RefusedURL(ValueError):
    """The URL may not be fetched; ``str(error)`` is one line for the user."""


class RefusedHost(RefusedURL):
    """A host resolves to an address that is off limits; ``str(error)`` names the address and why."""


class UnresolvableHost(ValueError):
    """The host name has no address (a typo, or DNS is down); the fetcher reports it as a FetchError."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"cannot resolve host {host} ({reason})")
        self.host = host


@dataclass(frozen=True)
class Allowlist:
    """Host names, addresses and networks allowed despite being private; built by ``parse_allow``."""

    names: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    def allows_name(self, host: str) -> bool:
        return _normal_name(host) in self.names

    def allows_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


def parse_allow(allow: Collection[str] | Allowlist) -> Allowlist:
    """An ``Allowlist`` from setting entries such as ``"localhost"``, ``"127.0.0.1"``, ``"10.0.0.0/8"``.

    An entry that looks like an address or network but is not a valid one raises ``ValueError``
    naming it, rather than silently allowing nothing.
    """
    if isinstance(allow, Allowlist):
        return allow
    names: set[str] = set()
    networks: list[IPNetwork] = []
    for raw in allow:
        entry = raw.strip()
        if entry.startswith("[") and entry.endswith("]"):
            entry = entry[1:-1]
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        if "/" in entry or ":" in entry or not _looks_like_name(entry):
            raise ValueError(
                f"{ALLOW_SETTING}: {raw!r} is not a host name, IP address or network (such as 10.0.0.0/8)"
            )
        names.add(_normal_name(entry))
    return Allowlist(names=frozenset(names), networks=tuple(networks))


def check_url(url: str, *, allow: Collection[str] | Allowlist = ()) -> None:
    """Refuse ``url`` unless it is http(s) to a host whose every address is public or allowed.

    Raises ``RefusedURL`` (one line naming the address and why), or ``UnresolvableHost`` when the
    name has no address at all.
    """
    allowlist = parse_allow(allow)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RefusedURL(f"refused {url}: not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise RefusedURL(f"refused {url}: only http and https links are fetched, not {shown}")
    host = parts.hostname
    if not host:
        raise RefusedURL(f"refused {url}: no host name")
    try:
        vet_host(host, port or (443 if scheme == "https" else 80), allow=allowlist)
    except RefusedHost as exc:
        raise RefusedURL(f"refused {url}: {exc}") from None


def vet_host(host: str, port: int, *, allow: Collection[str] | Allowlist = ()) -> tuple[IPAddress, ...]:
    """The addresses a connection to ``host`` may use: all of them, resolved as a connection would.

    Raises ``RefusedHost`` when any address is off limits and not allowed (one bad address is
    enough: which one a connection picks is up to the resolver's order), ``UnresolvableHost`` when
    there is none. The fetcher calls this at connect time and connects only to what it returns.
    """
    allowlist = parse_allow(allow)
    addresses = resolve(host, port)
    if allowlist.allows_name(host):
        return addresses
    for address in addresses:
        if allowlist.allows_address(address) or allowlist.allows_address(_unmapped(address)):
            continue
        kind = address_kind(address)
        if kind:
            raise RefusedHost(f"{address} is {kind} (set {ALLOW_SETTING} to allow it)")
    return addresses


def resolve(host: str, port: int) -> tuple[IPAddress, ...]:
    """Every address ``host`` resolves to for a TCP connection, in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(host, _gai_reason(exc)) from None
    addresses: list[IPAddress] = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        text = str(sockaddr[0]).split("%", 1)[0]  # an IPv6 zone ("fe80::1%eth0") is not an address
        address = ipaddress.ip_address(text)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnresolvableHost(host, "no IPv4 or IPv6 address")
    return tuple(addresses)


def address_kind(address: IPAddress) -> str | None:
    """What makes ``address`` off limits, as a phrase ("a loopback address"), or ``None`` if public.

    An IPv4 address written as IPv6 (``::ffff:127.0.0.1``) is judged as the IPv4 address it reaches;
    anything Python does not count as globally routable is refused even without a specific name.
    """
    if address in METADATA_ADDRESSES or _unmapped(address) in METADATA_ADDRESSES:
        return "a cloud metadata address"
    plain = _unmapped(address)
    checks: Iterable[tuple[bool, str]] = (
        (plain.is_unspecified, "an unspecified address"),
        (plain.is_loopback, "a loopback address"),
        (plain.is_link_local, "a link-local address"),
        (plain.is_multicast, "a multicast address"),
        (plain.is_reserved, "a reserved address"),
        (plain.is_private, "a private address"),
        (not plain.is_global, "not a public address"),
    )
    for flagged, kind in checks:
        if flagged:
            return kind
    return None


def _unmapped(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _normal_name(host: str) -> str:
    return host.strip().rstrip(".").lower()


def _looks_like_name(entry: str) -> bool:
    labels = _normal_name(entry).split(".")
    return all(label and all(ch.isalnum() or ch in "-_" for ch in label) for label in labels)


def _gai_reason(exc: Exception) -> str:
    if isinstance(exc, socket.gaierror) and exc.strerror:
        return exc.strerror.rstrip(".").lower()
    return "not a valid host name"
