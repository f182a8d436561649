"""What every client command shares: a channel to the server, the API key as call metadata,
and one way to report a failed call (its status and message, exit status 1)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import grpc

Metadata = tuple[tuple[str, str], ...]


@contextmanager
def connect(server: str, api_key: str) -> Iterator[tuple[grpc.Channel, Metadata]]:
    """A channel to `server` and the call metadata that carries `api_key` (if any)."""
    metadata: Metadata = (("authorization", f"Bearer {api_key}"),) if api_key else ()
    with grpc.insecure_channel(server) as channel:
        yield channel, metadata


def run(command: Callable[[], int]) -> int:
    """The command's exit status; a failed call prints its status and message and exits 1."""
    try:
        return command()
    except grpc.RpcError as error:
        print(f"error: {error.code().name}: {error.details()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
