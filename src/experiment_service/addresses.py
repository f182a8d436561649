"""Listening addresses: parsed, and checked free before the server starts on them.

A server that cannot listen where it was told stops at once with one line naming the address
and the flag that sets it, instead of a traceback or, worse, silently sharing the port (Envoy's
listeners reuse ports, so a second gateway on a busy address would take half the calls).
"""

from __future__ import annotations

import errno
import socket


class StartupError(Exception):
    """A reason the server cannot start, said in one line."""


def split_address(address: str, flag: str = "") -> tuple[str, int]:
    """HOST:PORT (or [IPv6]:PORT) as (host, port)."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        where = f" ({flag})" if flag else ""
        raise StartupError(f"'{address}' is not a HOST:PORT address{where}.")
    return host.strip("[]"), int(port)


def ensure_free(address: str, flag: str) -> None:
    """Fail unless something may listen on `address` now (port 0 always may)."""
    host, port = split_address(address, flag)
    if port == 0:
        return
    try:
        family, kind, proto, _, sockaddr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[
            0
        ]
    except socket.gaierror as error:
        raise StartupError(f"Cannot listen on {address}: {error.strerror}; set {flag}.") from None
    with socket.socket(family, kind, proto) as probe:
        # As servers bind: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(sockaddr)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise StartupError(
                    f"{address} is already in use (another server?); choose another with {flag}."
                ) from None
            raise StartupError(
                f"Cannot listen on {address}: {error.strerror}; set {flag}."
            ) from None
