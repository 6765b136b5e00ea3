"""The client's address, with ``X-Forwarded-For`` honoured only from trusted proxies.

``CASEGRAPH_TRUSTED_PROXIES`` lists the proxies (IP addresses or CIDR networks,
comma-separated; empty by default). When the direct peer is one of them, the client is the
right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy; otherwise the
header is ignored and the client is the peer. (``casegraph serve`` turns uvicorn's own
proxy-header handling off, so this is the only place the header is read.)

Examples
--------
>>> trusted = TrustedProxies.parse("10.0.0.0/8, 127.0.0.1")
>>> scope = {"client": ("10.1.2.3", 5000), "headers": [(b"x-forwarded-for", b"1.2.3.4, 10.9.9.9")]}
>>> resolve_client(scope, trusted)
ClientAddress(client='1.2.3.4', peer='10.1.2.3', forwarded=True)
>>> resolve_client({"client": ("8.8.8.8", 1), "headers": scope["headers"]}, trusted)
ClientAddress(client='8.8.8.8', peer='8.8.8.8', forwarded=False)
>>> TrustedProxies.parse("not-an-ip")
Traceback (most recent call last):
...
ValueError: CASEGRAPH_TRUSTED_PROXIES: 'not-an-ip' is not an IP address or CIDR network
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: How many ``X-Forwarded-For`` entries are looked at (right to left); more is ignored.
MAX_HOPS = 16


@dataclass(frozen=True)
class TrustedProxies:
    """The networks whose ``X-Forwarded-For`` is believed."""

    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, text: str) -> TrustedProxies:
        networks: list[IPNetwork] = []
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(
                    f"CASEGRAPH_TRUSTED_PROXIES: {item!r} is not an IP address or CIDR network"
                ) from None
        return cls(tuple(networks))

    def __contains__(self, address: object) -> bool:
        if not self.networks or not isinstance(address, str):
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip.version == net.version and ip in net for net in self.networks)


@dataclass(frozen=True)
class ClientAddress:
    """``client``: who is asking; ``peer``: the direct TCP peer; ``forwarded``: whether
    ``client`` came from a trusted proxy's ``X-Forwarded-For``."""

    client: str | None
    peer: str | None
    forwarded: bool


def _forwarded_for(scope: dict[str, Any] | Any) -> list[str]:
    values = [
        bytes(v).decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-forwarded-for"
    ]
    hops = [h.strip() for h in ",".join(values).split(",")]
    return [h for h in hops if h][-MAX_HOPS:]


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def resolve_client(scope: dict[str, Any] | Any, trusted: TrustedProxies) -> ClientAddress:
    """Who is asking (see the module docstring)."""
    peer_pair = scope.get("client")
    peer = str(peer_pair[0]) if peer_pair else None
    if peer is None or peer not in trusted:
        return ClientAddress(client=peer, peer=peer, forwarded=False)
    hops = _forwarded_for(scope)
    if not hops:
        return ClientAddress(client=peer, peer=peer, forwarded=False)
    client: str | None = None
    for hop in reversed(hops):
        ip = _valid_ip(hop)
        if ip is None:  # a garbled entry: stop believing anything further left
            break
        client = ip
        if ip not in trusted:
            break
    if client is None:
        return ClientAddress(client=peer, peer=peer, forwarded=False)
    return ClientAddress(client=client, peer=peer, forwarded=True)
