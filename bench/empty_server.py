"""Baseline peer: a grpc.aio server whose only method returns an empty message at once, on the
same event loop as the service (uvloop).

python bench/empty_server.py PORT
"""

from __future__ import annotations

import sys

import grpc
import uvloop

METHOD = "/bench.Empty/Call"


async def _empty(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return b""


async def main(port: int) -> None:
    server = grpc.aio.server()
    handler = grpc.method_handlers_generic_handler(
        "bench.Empty", {"Call": grpc.unary_unary_rpc_method_handler(_empty)}
    )
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    print("ready", flush=True)
    await server.wait_for_termination()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1])))
