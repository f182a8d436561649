"""API keys: required, hashed at rest, revocable, and confined to their workspace."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import grpc
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from experiment_service.api.platform.v2 import datasets_pb2, datasets_pb2_grpc
from experiment_service.api.platform.v2 import resources_pb2 as res
from tests.support.keys import api_keys, create_api_key
from tests.support.server import RunningServer, start_server


async def stored_key(database_url: str, key_id: str, key: str) -> tuple[str, int]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            digest = await connection.scalar(
                text("SELECT key_hash FROM api_keys WHERE id = :id"), {"id": key_id}
            )
            plain = await connection.scalar(
                text(
                    "SELECT count(*) FROM api_keys WHERE key_hash = :key OR prefix = :key "
                    "OR name = :key"
                ),
                {"key": key},
            )
    finally:
        await engine.dispose()
    return str(digest), int(plain or 0)


def test_platform_calls_without_a_valid_key_get_401(rest_base: str) -> None:
    with httpx.Client(base_url=rest_base) as http:
        missing = http.get("/api/datasets/")
        assert missing.status_code == 401
        assert missing.json() == {"detail": "Authentication credentials were not provided."}
        for header in ("Bearer esk_not_a_key", "Basic abc", "Bearer"):
            wrong = http.get("/api/v2/experiments/list/", headers={"authorization": header})
            assert wrong.status_code == 401
        wrong = http.get("/api/datasets/", headers={"authorization": "Bearer esk_not_a_key"})
        assert wrong.json() == {"detail": "Your API key is invalid or expired."}


async def test_grpc_callers_get_unauthenticated(channel: grpc.aio.Channel) -> None:
    stub = datasets_pb2_grpc.DatasetServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.ListDatasets(datasets_pb2.ListDatasetsRequest())
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert caught.value.details() == "Authentication credentials were not provided."
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.ListDatasets(
            datasets_pb2.ListDatasetsRequest(), metadata=(("authorization", "Bearer nope"),)
        )
    assert caught.value.details() == "Your API key is invalid or expired."


def test_a_key_sees_only_its_own_workspace(
    server: RunningServer, platform: httpx.Client, rest_base: str, workspace: str
) -> None:
    dataset = platform.post("/api/datasets/", json={"name": "private"}).json()
    _, other_key = create_api_key(server, workspace + "-other")
    with httpx.Client(
        base_url=rest_base, headers={"authorization": f"Bearer {other_key}"}
    ) as other:
        assert other.get(f"/api/datasets/{dataset['id']}/").status_code == 404
        assert other.get(f"/api/datasets/{dataset['id']}/").json() == {"detail": "Not found."}
        assert other.patch(f"/api/datasets/{dataset['id']}/", json={"name": "x"}).status_code == 404
        assert other.delete(f"/api/datasets/{dataset['id']}/").status_code == 404
        assert other.get("/api/datasets/").json()["count"] == 0
    assert platform.get(f"/api/datasets/{dataset['id']}/").json()["name"] == "private"


def test_keys_are_listed_without_secrets_stored_hashed_and_revocable(
    server: RunningServer, rest_base: str, workspace: str
) -> None:
    key_id, key = create_api_key(server, workspace)
    listing = api_keys(server, "list", "--workspace", workspace)
    assert key_id in listing and key not in listing and key[:12] in listing
    digest, plain = asyncio.run(stored_key(server.database_url, key_id, key))
    assert digest != key and len(digest) == 64
    assert plain == 0, "no column holds the key itself"

    headers = {"authorization": f"Bearer {key}"}
    assert httpx.get(f"{rest_base}/api/datasets/", headers=headers).status_code == 200
    assert "revoked" in api_keys(server, "revoke", key_id)
    revoked = httpx.get(f"{rest_base}/api/datasets/", headers=headers)
    assert revoked.status_code == 401
    assert revoked.json() == {"detail": "Your API key is invalid or expired."}


def test_require_auth_guards_intake_by_workspace(
    tmp_path: Path, new_database_url: Callable[[], str]
) -> None:
    running = start_server(
        tmp_path, "--require-auth", gateway=True, database_url=new_database_url()
    )
    try:
        _, key = create_api_key(running, "team-a")
        body = {"name": "e", "agent_name": "a", "agent_version": "1", "dataset_name": "d"}
        with httpx.Client(base_url=running.http_base) as http:
            path = "/apis/intake/v2/workspaces/team-a/experiments"
            assert http.post(path, json=body).status_code == 401
            own = http.post(path, json=body, headers={"authorization": f"Bearer {key}"})
            assert own.status_code == 201
            foreign = http.post(
                "/apis/intake/v2/workspaces/team-b/experiments",
                json=body,
                headers={"authorization": f"Bearer {key}"},
            )
            assert foreign.status_code == 403
        with grpc.insecure_channel(running.grpc_target) as channel:
            stub = datasets_pb2_grpc.DatasetServiceStub(channel)
            created = stub.CreateDataset(
                datasets_pb2.CreateDatasetRequest(dataset=res.Dataset(name="d")),
                metadata=(("authorization", f"Bearer {key}"),),
            )
            assert created.status == "ready"
    finally:
        running.stop()
