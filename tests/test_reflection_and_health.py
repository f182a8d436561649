"""Discovery without generated stubs: server reflection, then a dynamic call; health checks."""

from __future__ import annotations

import grpc
from google.protobuf import descriptor_pool, json_format
from google.protobuf.message_factory import GetMessageClass
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

SERVICE = "experiment_service.api.intake.v2.IntakeService"


async def test_reflection_discovers_and_calls_create_experiment(
    server: object, workspace: str
) -> None:
    target = server.grpc_target  # type: ignore[attr-defined]
    with grpc.insecure_channel(target) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        assert SERVICE in database.get_services()
        assert "grpc.health.v1.Health" in database.get_services()

        pool = descriptor_pool.DescriptorPool(database)
        method = pool.FindServiceByName(SERVICE).methods_by_name["CreateExperiment"]
        request_class = GetMessageClass(method.input_type)
        response_class = GetMessageClass(method.output_type)
        request = json_format.ParseDict(
            {
                "workspace": workspace,
                "experiment": {
                    "name": "via_reflection",
                    "agent_name": "A",
                    "agent_version": "1",
                    "dataset_name": "D",
                },
            },
            request_class(),
        )
        call = channel.unary_unary(
            f"/{SERVICE}/CreateExperiment",
            request_serializer=lambda message: message.SerializeToString(),
            response_deserializer=response_class.FromString,
        )
        reply = json_format.MessageToDict(call(request), preserving_proto_field_name=True)
    assert reply["name"] == "via_reflection"
    assert reply["workspace"] == workspace
    assert reply["id"].startswith("exp_")


async def test_health_reports_serving_for_server_and_service(channel: grpc.aio.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", SERVICE):
        reply = await health.Check(health_pb2.HealthCheckRequest(service=service))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
