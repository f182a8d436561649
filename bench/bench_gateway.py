"""REST through Envoy vs gRPC direct: CreateExperiment throughput of the same server.

.venv/bin/python -m bench.bench_gateway
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
from pathlib import Path

import grpc
import httpx

from bench.bench_intake import CONCURRENCY, throughput
from experiment_service.api.intake.v2 import intake_service_pb2 as svc
from experiment_service.api.intake.v2 import intake_service_pb2_grpc
from experiment_service.api.intake.v2 import resources_pb2 as res
from tests.support.server import start_server

CALLS = 2000


async def run(workdir: Path) -> tuple[float, float]:
    server = start_server(workdir, gateway=True)
    try:
        async with grpc.aio.insecure_channel(server.grpc_target) as channel:
            intake = intake_service_pb2_grpc.IntakeServiceStub(channel)

            async def grpc_create(index: int, round_: int) -> None:
                await intake.CreateExperiment(
                    svc.CreateExperimentRequest(
                        workspace="bench-grpc",
                        experiment=res.ExperimentRequest(
                            name=f"r{round_}-{index}",
                            agent_name="a",
                            agent_version="1",
                            dataset_name="d",
                        ),
                    )
                )

            limits = httpx.Limits(max_connections=CONCURRENCY)
            async with httpx.AsyncClient(base_url=server.http_base, limits=limits) as http:

                async def rest_create(index: int, round_: int) -> None:
                    reply = await http.post(
                        "/apis/intake/v2/workspaces/bench-rest/experiments",
                        json={
                            "name": f"r{round_}-{index}",
                            "agent_name": "a",
                            "agent_version": "1",
                            "dataset_name": "d",
                        },
                    )
                    assert reply.status_code == 201, reply.text

                await throughput(lambda i: grpc_create(i, -1), 200)
                await throughput(lambda i: rest_create(i, -1), 200)
                grpc_rates, rest_rates = [], []
                for round_ in range(3):
                    grpc_rates.append(
                        await throughput(lambda i, r=round_: grpc_create(i, r), CALLS)
                    )
                    rest_rates.append(
                        await throughput(lambda i, r=round_: rest_create(i, r), CALLS)
                    )
        return statistics.median(rest_rates), statistics.median(grpc_rates)
    finally:
        server.stop()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rest_rate, grpc_rate = asyncio.run(run(Path(tmp)))
    print("measure                                   | calls/s | ratio to gRPC")
    print("----------------------------------------- | ------- | -------------")
    print(f"CreateExperiment, gRPC direct ({CONCURRENCY} callers)  | {grpc_rate:7,.0f} | 1.00x")
    print(
        f"CreateExperiment, REST via Envoy ({CONCURRENCY} callers) | {rest_rate:7,.0f} | "
        f"{grpc_rate / rest_rate:.2f}x slower"
    )


if __name__ == "__main__":
    main()
