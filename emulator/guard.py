"""What a web page must not make a browser do to a local emulator (pure ASGI, on every request).

- **DNS rebinding**: a page on `attacker.example` whose name then resolves to 127.0.0.1 reaches the
  emulator as same-origin, but its requests carry `Host: attacker.example`. Only Host names the emulator
  is known by are served: `localhost`, the name it was bound to, the name in its public URL, the names
  the user allowed (`--allow-host`, `Config.allowed_hosts`) and IP addresses. An IP literal cannot be
  rebound: a browser sends one only to a page loaded from that very address, so, as Vite and
  webpack-dev-server do, any is accepted (which keeps `docker run` reachable by container address).
  The port is not compared: port forwarding (`docker -p 9000:8025`, ssh, kubectl) legitimately changes
  it, and a rebinding page cannot choose the name whatever the port. A refusal is a 421 Misdirected
  Request, the status HTTP has for "not a name this server answers for", so it is never mistaken for a
  bad body (400).
- **Cross-site requests**: a page on another origin can POST to `/_emulator/*` without reading the
  answer (`fetch(..., {mode: "no-cors"})`, a plain form), and the control plane reads any body as JSON.
  State-changing requests there (the control plane and the inspector's forms) are refused with a 403
  when they carry an `Origin` other than the server's own, `Origin: null` included (sandboxed iframes,
  `no-referrer` pages). Browsers send `Origin` on every such request; curl, the harness and server-side
  clients send none and are served unchanged. Content types are not checked: `curl -d '{...}'` sends
  `application/x-www-form-urlencoded` and must keep working, and Host plus Origin already refuse every
  cross-site case.

Refusals answer Front's `_error` envelope and are recorded in the request journal (both by the gate,
emulator/api/gate.py). The incoming hot path pays one scan of its header list for `Host` and one set
lookup.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import Scope

from emulator.config import Config
from emulator.wire.paths import SAFE_METHODS

LOOPBACK_NAME = "localhost"
# Trusted Host values are remembered, up to this many: a client could send many distinct ports (only
# trusted values are ever added).
_MAX_REMEMBERED_HOSTS = 1024
# Echoed values (Host, Origin) are cut to this length in error messages.
_MAX_ECHO = 200


def trusted_host_names(config: Config) -> frozenset[str]:
    """The Host names (lowercase, no port) this emulator answers to, IP addresses aside: the name in
    its public URL is one (the in-process clients' http://emulator.test, say)."""
    allowed = (host_name(name) for name in config.allowed_hosts)
    public = host_name(urlsplit(config.base_url).netloc)
    return frozenset({LOOPBACK_NAME, host_name(config.host), public, *allowed})


def host_name(host: str) -> str:
    """The name part of a Host header value or a bind address, lowercase: 'Box:8025' -> 'box',
    '[::1]:8025' -> '[::1]', '::1' -> '[::1]'."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] or host
    if host.count(":") > 1:
        # A bare IPv6 bind address ("::", "::1"); in Host headers IPv6 is always bracketed.
        return f"[{host}]"
    return host.partition(":")[0]


def is_ip_literal(name: str) -> bool:
    """'127.0.0.1', '[::1]', '10.0.0.7' (as `host_name` returns them)."""
    try:
        ipaddress.ip_address(name[1:-1] if name.startswith("[") and name.endswith("]") else name)
    except ValueError:
        return False
    return True


class Guard:
    """The two refusals, asked by the gate (emulator/api/gate.py), the one middleware every request
    passes: each answers the refusal's message, or None when the request may go on."""

    def __init__(self, config: Config) -> None:
        self.trusted_names = trusted_host_names(config)
        # Host values already found trusted, so the hot path is one set lookup.
        self.trusted_hosts: set[bytes] = set()

    def refuses_host(self, host: bytes) -> str | None:
        """For a Host value not yet in `trusted_hosts` (no Host at all is an HTTP/1.0 client, never a
        browser, and is not asked about)."""
        name = host_name(host.decode("latin-1"))
        if name not in self.trusted_names and not is_ip_literal(name):
            return _foreign_host_message(host)
        if len(self.trusted_hosts) < _MAX_REMEMBERED_HOSTS:
            self.trusted_hosts.add(host)
        return None

    def refuses_origin(self, scope: Scope, host: bytes | None) -> str | None:
        """For a control-plane or inspector request: one that changes state must not come from a page on
        another origin."""
        if scope["method"] in SAFE_METHODS:
            return None
        origin = _header(scope["headers"], b"origin")
        if origin is None or _same_origin(origin, host):
            return None
        return _cross_site_message(scope, origin, host)


def _header(headers: Iterable[tuple[bytes, bytes]], wanted: bytes) -> bytes | None:
    for name, value in headers:
        if name == wanted:
            return value
    return None


def _same_origin(origin: bytes, host: bytes | None) -> bool:
    """Origin is `scheme://host[:port]`; it is the server's own when its authority is the Host the
    request was sent to (the scheme is not compared: a TLS proxy in front changes it, not the site)."""
    _, separator, authority = origin.partition(b"://")
    return bool(separator) and host is not None and authority.lower() == host.lower()


def _echo(value: bytes) -> str:
    text = value.decode("latin-1")
    return repr(text if len(text) <= _MAX_ECHO else text[:_MAX_ECHO] + "…")


def _foreign_host_message(host: bytes) -> str:
    name = host_name(host.decode("latin-1"))[:_MAX_ECHO]
    return (
        f"Host {_echo(host)} is not a name this emulator answers to, so a web page cannot reach it "
        f"through DNS rebinding. Use localhost or an IP address, or, to reach it by this name (a CI "
        f"service name, say), start it with --allow-host {name} or FRONT_EMULATOR_ALLOWED_HOSTS={name}."
    )


def _cross_site_message(scope: Scope, origin: bytes, host: bytes | None) -> str:
    own = f"http://{host.decode('latin-1')}" if host is not None else "no Host header"
    return (
        f"{scope['method']} {scope['path']} changes the emulator's state and was sent by a web page on "
        f"Origin {_echo(origin)}, not by the emulator's own pages ({own}). The control plane and the "
        "inspector accept such requests from their own pages and from clients that send no Origin "
        "(curl, the harness, server-side code)."
    )
