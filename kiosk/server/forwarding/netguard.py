"""Which addresses a forwarding destination may reach (against server-side request forgery).

A destination URL is typed by an admin (the console, or ``forward add``), and the forwarder
POSTs personal data to it and reports how the attempt failed. Unchecked, an admin account (or
whoever takes one over) could point it at the cloud's metadata service, at the server's own
port, or at any machine of the private network, and read the failure reasons as a port scanner.

Three kinds of address:

- **never**: link-local (``169.254.0.0/16``, where cloud metadata services answer, and
  ``fe80::/10``), unspecified (``0.0.0.0``, ``::``), "this network" (``0.0.0.0/8``),
  multicast, broadcast and reserved addresses. Refused whatever the configuration says.
- **internal**: loopback (``127.0.0.0/8``, ``::1``), private ranges (``10/8``,
  ``172.16/12``, ``192.168/16``, ``fc00::/7``), shared address space (``100.64/10``) and every
  other address that is not globally routable. Refused unless the operator lists its network
  in ``KIOSK_FORWARD_ALLOW_NETWORKS`` (comma-separated addresses or networks), in the
  environment of every ``kiosk-server`` process that adds destinations or forwards.
- **public**: everything else.

An IPv6 address that carries an IPv4 one (``::ffff:169.254.169.254``, 6to4, the NAT64
prefix) is judged by the IPv4 address it carries.

The check runs twice: when a destination is added (on the address, or on every address its
name resolves to), and at every connection the forwarder makes, on the addresses the name
resolves to *then*, connecting only to an address just checked (a name that resolved to a public
address when the destination was added and to ``127.0.0.1`` since is refused: DNS rebinding).
A name with one refused address among several is refused as a whole.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

ENV_FORWARD_ALLOW_NETWORKS = "KIOSK_FORWARD_ALLOW_NETWORKS"
#: What ``KIOSK_FORWARD_ALLOW_NETWORKS`` allows when it is not set: this machine (a receiver on
#: the same machine, such as a relay to the CRM, has always been a supported set-up). ``none``
#: allows no internal address at all.
DEFAULT_ALLOWED = ("127.0.0.0/8", "::1/128")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NEVER: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network", 0.0.0.0 reaches the local machine on Linux
        "169.254.0.0/16",  # link-local: cloud metadata (169.254.169.254), other hosts' APIs
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
        "::/128",
        "fe80::/10",  # link-local
        "ff00::/8",  # multicast
        "fd00:ec2::254/128",  # AWS's IPv6 metadata address (inside fc00::/7 otherwise)
    )
)


class AddressRefused(OSError):
    """A destination's address may not be reached (a connection attempt fails with this).

    Attributes:
        host: the name or address in the destination URL.
        address: the refused address.
        kind: ``never`` or ``internal``.
    """

    def __init__(self, host: str, address: str, kind: str) -> None:
        super().__init__(f"{host} is {address}, {kind} address: refused")
        self.host = host
        self.address = address
        self.kind = kind


def _unwrap(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), else the address itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in ipaddress.ip_network("64:ff9b::/96"):
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if ip in ipaddress.ip_network("::/96") and int(ip) > 1:  # IPv4-compatible (deprecated)
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def classify(ip: IPAddress) -> str:
    """``never``, ``internal`` or ``public`` (see the module docstring)."""
    inner = _unwrap(ip)
    for candidate in {ip, inner}:
        if any(candidate in n for n in _NEVER if n.version == candidate.version):
            return "never"
        if candidate.is_multicast or candidate.is_unspecified or candidate.is_link_local:
            return "never"
    if inner.is_loopback or inner.is_private or not inner.is_global:
        return "internal"
    return "public"


def parse_allowed(value: str | None) -> tuple[IPNetwork, ...]:
    """``"127.0.0.1, 10.20.0.0/16"`` → the networks; empty for None, ``""`` or ``none``.

    Raises:
        ValueError: an entry is not an address or network, or lies where nothing is ever
            allowed (link-local, metadata, multicast, unspecified).
    """
    out: list[IPNetwork] = []
    if (value or "").strip().lower() == "none":
        return ()
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            net = ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise ValueError(
                f"${ENV_FORWARD_ALLOW_NETWORKS}: {part!r} is not an IP address or network"
            ) from None
        if classify(net.network_address) == "never" and classify(net.broadcast_address) == "never":
            raise ValueError(
                f"${ENV_FORWARD_ALLOW_NETWORKS}: {part} is link-local, metadata, multicast or "
                "unspecified: forwarding never goes there, whatever is allowed"
            )
        out.append(net)
    return tuple(out)


Resolver = Callable[[str, int], list[tuple[Any, ...]]]


def _resolve(host: str, port: int) -> list[tuple[Any, ...]]:
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    """Which addresses forwarding may reach: public ones, and internal ones in ``allowed``."""

    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_env(cls, environ: dict[str, str] | Any) -> NetworkPolicy:
        """The policy ``KIOSK_FORWARD_ALLOW_NETWORKS`` sets (none allowed when unset).

        Raises:
            ValueError: see :func:`parse_allowed`.
        """
        value = environ.get(ENV_FORWARD_ALLOW_NETWORKS)
        return cls(parse_allowed(",".join(DEFAULT_ALLOWED) if value is None else value))

    @classmethod
    def allowing(cls, *networks: str) -> NetworkPolicy:
        """A policy allowing these internal networks (tests, a CRM on this machine)."""
        return cls(parse_allowed(",".join(networks)))

    def verdict(self, ip: IPAddress) -> str | None:
        """None when ``ip`` may be reached, else why not: ``never`` or ``internal``."""
        kind = classify(ip)
        if kind == "public":
            return None
        if kind == "internal":
            inner = _unwrap(ip)
            if any(c in n for n in self.allowed for c in {ip, inner} if n.version == c.version):
                return None
        return kind

    def check_ip(self, host: str, ip: IPAddress) -> None:
        """Raises :class:`AddressRefused` unless ``ip`` may be reached."""
        kind = self.verdict(ip)
        if kind is not None:
            raise AddressRefused(host, str(ip), kind)

    def addresses(
        self, host: str, port: int, resolve: Resolver = _resolve
    ) -> list[tuple[Any, ...]]:
        """``getaddrinfo`` for ``host``, every address checked.

        Raises:
            AddressRefused: one of the addresses may not be reached.
            OSError: the name does not resolve (``socket.gaierror``).
        """
        literal = _literal(host)
        if literal is not None:
            self.check_ip(host, literal)
        infos = resolve(host, port)
        for info in infos:
            self.check_ip(host, ipaddress.ip_address(str(info[4][0]).split("%")[0]))
        return infos

    def connector(self) -> Callable[..., socket.socket]:
        """A replacement for ``socket.create_connection`` (``http.client``'s
        ``_create_connection``) that connects only to checked addresses."""

        def create_connection(
            address: tuple[str, int], timeout: Any = None, source_address: Any = None
        ) -> socket.socket:
            host, port = address
            error: OSError | None = None
            for family, kind, proto, _name, sockaddr in self.addresses(host, port):
                sock = socket.socket(family, kind, proto)
                try:
                    if isinstance(timeout, int | float):
                        sock.settimeout(timeout)
                    if source_address:
                        sock.bind(source_address)
                    sock.connect(sockaddr)
                    return sock
                except OSError as exc:
                    sock.close()
                    error = exc
            raise error or OSError(f"{host} resolves to no address")

        return create_connection


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def check_host(policy: NetworkPolicy, host: str, port: int, resolve: Resolver = _resolve) -> None:
    """Check a destination's host when it is added: its address, or every address its name
    resolves to now. A name that does not resolve (yet) passes: every connection checks again.

    Raises:
        AddressRefused: an address may not be reached.
    """
    try:
        policy.addresses(host, port, resolve)
    except AddressRefused:
        raise
    except (OSError, UnicodeError):
        return


def names(networks: Iterable[IPNetwork]) -> str:
    """``127.0.0.1/32, 10.0.0.0/8`` (for messages)."""
    return ", ".join(str(n) for n in networks) or "none"
