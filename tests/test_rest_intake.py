"""REST conformance of the Intake API through Envoy: paths, codes, bodies, envelopes.

Runs against the test server's gateway, or against any deployed gateway named by
EXPERIMENT_SERVICE_REST_URL.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

SEED_REQUEST = {
    "name": "experiment_alpha_2024",
    "agent_name": "NemoAgent",
    "agent_version": "v2.3.1",
    "dataset_name": "ImageNet-2023",
}
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def ws(workspace: str) -> str:
    return f"/apis/intake/v2/workspaces/{workspace}"


def create(http: httpx.Client, ws: str, **fields: Any) -> dict[str, Any]:
    reply = http.post(f"{ws}/experiments", json={**SEED_REQUEST, **fields})
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def no_internal_headers(reply: httpx.Response) -> None:
    leaked = [name for name in reply.headers if name.startswith(("grpc-", "x-rest-"))]
    assert leaked == []


def test_seed_example_gets_201_and_the_documented_response(
    http: httpx.Client, ws: str, workspace: str
) -> None:
    reply = http.post(f"{ws}/experiments", json=SEED_REQUEST)
    assert reply.status_code == 201
    assert reply.headers["content-type"] == "application/json"
    no_internal_headers(reply)
    body = reply.json()
    assert body["id"].startswith("exp_")
    assert {key: body[key] for key in SEED_REQUEST} == SEED_REQUEST
    assert body["workspace"] == workspace
    assert body["metadata"] == {}
    assert RFC3339_UTC.match(body["created_at"]) and body["created_at"] == body["updated_at"]
    assert body["evaluator_names"] == [] and body["model_names"] == []
    assert body["aggregate_scores"] == {}
    assert body["run_count"] == 0 and isinstance(body["run_count"], int)
    assert "cost_usd" not in body and "latency_ms" not in body

    fetched = http.get(f"{ws}/experiments/experiment_alpha_2024")
    assert fetched.status_code == 200
    assert fetched.json() == body


def test_the_seeds_full_example_with_its_group_id_gets_201_stored_as_given(
    http: httpx.Client, ws: str
) -> None:
    full = {
        **SEED_REQUEST,
        "experiment_group_id": "group_987f6543-e21b-45d3-b789-123456789abc",
        "dataset_version": "v1.0",
        "source_link": "https://nemo-platform.org/experiments/exp_123e4567-e89b-12d3-a456-426614174000",
        "metadata": {},
        "description": "Initial experiment testing NemoAgent performance on ImageNet-2023 dataset.",
        "summary": "Achieved baseline accuracy of 78.5% with average latency of 120ms.",
    }
    reply = http.post(f"{ws}/experiments", json=full)
    assert reply.status_code == 201, reply.text
    assert {key: reply.json()[key] for key in full} == full
    assert (
        http.get(f"{ws}/experiments/{full['name']}").json()["experiment_group_id"]
        == (full["experiment_group_id"])
    )


def test_duplicate_gets_409_with_a_detail_sentence(
    http: httpx.Client, ws: str, workspace: str
) -> None:
    create(http, ws)
    reply = http.post(f"{ws}/experiments", json=SEED_REQUEST)
    assert reply.status_code == 409
    assert reply.json() == {
        "detail": f"Experiment '{workspace}/experiment_alpha_2024' already exists."
    }
    no_internal_headers(reply)


def test_missing_fields_get_422_with_one_entry_per_problem(http: httpx.Client, ws: str) -> None:
    reply = http.post(f"{ws}/experiments", json={"name": "x", "source_link": "not a uri"})
    assert reply.status_code == 422
    assert reply.json() == {
        "detail": [
            {"loc": ["body", "agent_name"], "msg": "Field required", "type": "missing"},
            {"loc": ["body", "agent_version"], "msg": "Field required", "type": "missing"},
            {"loc": ["body", "dataset_name"], "msg": "Field required", "type": "missing"},
            {
                "loc": ["body", "source_link"],
                "msg": "Input should be a valid absolute URI",
                "type": "url_parsing",
            },
        ]
    }
    assert http.get(f"{ws}/experiments").json()["pagination"]["total_results"] == 0


@pytest.mark.parametrize(
    ("body", "loc", "kind", "msg"),
    [
        ({**SEED_REQUEST, "name": 123}, ["body", "name"], "string_type", "a valid string"),
        ({**SEED_REQUEST, "agent_name": {"a": 1}}, ["body", "agent_name"], "string_type", ""),
        # Envoy's transcoder names only the object holding a list where a scalar belongs.
        ({**SEED_REQUEST, "agent_version": ["v1"]}, ["body"], "invalid_type", "not a list"),
        ({**SEED_REQUEST, "metadata": "x"}, ["body", "metadata"], "dict_type", "dictionary"),
        (
            {"sessions": [{"session_id": "s", "experiment_name": "e", "started_at": 5}]},
            ["body", "sessions", 0, "started_at"],
            "datetime_parsing",
            "Input should be a valid datetime",
        ),
    ],
)
def test_wrong_types_get_422_in_the_words_of_other_refusals(
    http: httpx.Client, ws: str, body: dict[str, Any], loc: list[Any], kind: str, msg: str
) -> None:
    path = f"{ws}/ingest/sessions" if "sessions" in body else f"{ws}/experiments"
    reply = http.post(path, json=body)
    assert reply.status_code == 422
    [problem] = reply.json()["detail"]
    assert (problem["loc"], problem["type"]) == (loc, kind)
    assert problem["msg"].startswith("Input should be") and msg in problem["msg"], problem
    for internal in ("proto", "googleapis", "scalar field", "TYPE_"):
        assert internal not in problem["msg"]


def test_malformed_json_gets_422_json_invalid(http: httpx.Client, ws: str) -> None:
    reply = http.post(
        f"{ws}/experiments", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    assert reply.status_code == 422
    [problem] = reply.json()["detail"]
    assert (problem["loc"], problem["type"]) == (["body"], "json_invalid")


def test_bytes_that_are_not_utf8_come_back_as_valid_json(http: httpx.Client, ws: str) -> None:
    reply = http.post(
        f"{ws}/experiments",
        content=b'{"name": "\xff\xfe", "agent_name": ',
        headers={"content-type": "application/json"},
    )
    assert reply.status_code == 422
    reply.content.decode("utf-8")  # strict: raises on any byte that is not UTF-8
    [problem] = reply.json()["detail"]
    assert problem["type"] == "json_invalid" and "\ufffd" in problem["msg"]


def test_other_methods_on_known_paths_get_405_with_allow(
    http: httpx.Client, platform: httpx.Client, ws: str
) -> None:
    for method, path, allow in (
        ("PUT", f"{ws}/evaluator-results", "GET, POST"),
        ("DELETE", f"{ws}/experiments", "GET, POST"),
        ("POST", f"{ws}/experiments/some-name", "DELETE, GET, PUT"),
        ("PATCH", f"{ws}/spans/abc/evaluator-results", "GET"),
    ):
        reply = http.request(method, path)
        assert reply.status_code == 405, (method, path, reply.text)
        assert reply.headers["allow"] == allow
        assert reply.json() == {"detail": "Method Not Allowed"}
    listed = platform.delete("/api/datasets/")
    assert listed.status_code == 405 and listed.headers["allow"] == "GET, POST"
    # A literal path is not the template beside it: /list is not an experiment's id.
    experiments = platform.post("/api/v2/experiments/list/")
    assert experiments.status_code == 405 and experiments.headers["allow"] == "GET"
    assert listed.json() == {"detail": "Method not allowed."}


def test_query_without_a_content_type_is_answered_like_any_other_method(
    http: httpx.Client, platform: httpx.Client, ws: str
) -> None:
    # Envoy refuses a QUERY without a content type before any filter runs (RFC 10008); the
    # gateway's local replies answer it as every method a path does not serve.
    reply = http.request("QUERY", f"{ws}/experiments?page=1")
    assert reply.status_code == 405 and reply.headers["allow"] == "GET, POST"
    assert reply.json() == {"detail": "Method Not Allowed"}
    listed = platform.request("QUERY", "/api/v2/experiments/list/")
    assert listed.status_code == 405 and listed.headers["allow"] == "GET"
    assert listed.json() == {"detail": "Method not allowed."}
    unknown = http.request("QUERY", "/nowhere")
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Not Found"}


def test_field_rules_are_declared_and_kept_alike(http: httpx.Client, ws: str) -> None:
    # One source (the protos' field rules) for the document and the server's refusals.
    document = http.get("/openapi.json").json()
    parameters = document["paths"]["/apis/intake/v2/workspaces/{workspace}/traces"]["get"]
    by_name = {parameter["name"]: parameter["schema"] for parameter in parameters["parameters"]}
    assert by_name["mode"]["enum"] == ["summary", "preview", "detailed"]
    statuses = by_name["filter[status]"]["enum"]
    assert statuses == ["success", "error", "cancelled", "unknown"]
    refused = http.get(f"{ws}/traces", params={"filter[status]": "done"})
    assert refused.status_code == 400
    listed = ", ".join(f"'{status}'" for status in statuses)
    assert refused.json() == {
        "detail": f"Invalid request: filter.status: Input should be one of {listed}"
    }
    # An empty value is a value: `?mode=` is refused, as the document's enum says.
    assert http.get(f"{ws}/traces", params={"mode": ""}).status_code == 400
    assert http.get(f"{ws}/traces").status_code == 200


def test_a_sessions_limits_are_the_documents(http: httpx.Client, ws: str) -> None:
    # What the document says a session may hold is what the server takes, and one more is
    # refused: the limits are declared once, for both.
    schemas = http.get("/openapi.json").json()["components"]["schemas"]
    session, result = schemas["Session"]["properties"], schemas["SessionEvaluatorResult"]
    id_length = session["session_id"]["maxLength"]
    case_length = session["test_case_id"]["maxLength"]
    models = session["model_names"]["maxItems"]
    results = session["evaluator_results"]["maxItems"]
    name_length = result["properties"]["name"]["maxLength"]
    experiment = f"{ws}/experiments/{create(http, ws)['name']}"

    def batch(extra: int) -> dict[str, Any]:
        scores = [
            {"name": f"e{index}", "data_type": "NUMERIC", "value": 0.5}
            for index in range(results + extra - 1)
        ]
        scores.append({"name": "n" * (name_length + extra), "data_type": "BOOLEAN", "value": True})
        return {
            "sessions": [
                {
                    "session_id": "s" * (id_length + extra),
                    "experiment_name": SEED_REQUEST["name"],
                    "test_case_id": "t" * (case_length + extra),
                    "status": "success",
                    "started_at": "2026-01-01T00:00:00Z",
                    "ended_at": "2026-01-01T00:00:01Z",
                    "model_names": [f"m{index}" for index in range(models + extra)],
                    "evaluator_results": scores,
                }
            ]
        }

    refused = http.post(f"{ws}/ingest/sessions", json=batch(1))
    assert refused.status_code == 422
    assert {tuple(item["loc"][1:]) for item in refused.json()["detail"]} == {
        ("sessions", 0, "session_id"),
        ("sessions", 0, "test_case_id"),
        ("sessions", 0, "model_names"),
        ("sessions", 0, "evaluator_results"),
        ("sessions", 0, "evaluator_results", results, "name"),
    }
    assert http.get(experiment).json()["run_count"] == 0
    taken = http.post(f"{ws}/ingest/sessions", json=batch(0))
    assert taken.status_code == 201, taken.text
    assert http.get(experiment).json()["run_count"] == 1


def test_a_request_breaking_rules_lists_the_domain_problems_too_and_writes_nothing(
    http: httpx.Client, ws: str
) -> None:
    # A note's value_type is only the rules' business (the domain reads it for labels alone):
    # the domain would store this note; the refusal keeps it from being committed.
    note = {"session_id": "s1", "kind": "note", "text": "looks wrong", "value_type": "bogus"}
    refused = http.post(f"{ws}/annotations", json=note)
    assert refused.status_code == 422
    assert [item["loc"] for item in refused.json()["detail"]] == [["body", "value_type"]]
    assert http.get(f"{ws}/annotations").json()["pagination"]["total_results"] == 0
    valid = {key: value for key, value in note.items() if key != "value_type"}
    assert http.post(f"{ws}/annotations", json=valid).status_code == 201
    # A rule (a URI) and a domain check (a summary's length) broken at once: both are listed.
    body = {"name": "e", "agent_name": "a", "agent_version": "1", "dataset_name": "d"}
    both = http.post(
        f"{ws}/experiments",
        json={**body, "source_link": "not a uri", "summary": "x" * 10_001},
    )
    assert both.status_code == 422
    assert {tuple(item["loc"]) for item in both.json()["detail"]} == {
        ("body", "source_link"),
        ("body", "summary"),
    }
    assert http.get(f"{ws}/experiments/e").status_code == 404


def test_shapes_of_free_form_json_and_conditional_fields_are_declared_and_kept_alike(
    http: httpx.Client, ws: str
) -> None:
    document = http.get("/openapi.json").json()
    # A captured chat call's `request` is a JSON object the service reads inside: the document
    # states its shape, and the server refuses what breaks it, naming the places.
    chat_path = "/apis/intake/v2/workspaces/{workspace}/ingest/chat-completions"
    chat = document["paths"][chat_path]["post"]["requestBody"]["content"]["application/json"]
    request_shape = chat["schema"]["properties"]["request"]["allOf"][0]
    assert request_shape["required"] == ["model", "messages"]
    roles = request_shape["properties"]["messages"]["items"]["properties"]["role"]["enum"]
    refused = http.post(
        f"{ws}/ingest/chat-completions",
        json={"request": {"messages": [{"role": "robot"}]}, "response": {"choices": []}},
    )
    assert refused.status_code == 422
    problems = {tuple(item["loc"]): item["msg"] for item in refused.json()["detail"]}
    assert problems[("body", "request", "model")] == "Field required"
    role_problem = problems[("body", "request", "messages", 0, "role")]
    assert all(f"'{role}'" in role_problem for role in roles)
    # A field required only when a sibling has some value: a note needs its text.
    annotations = document["paths"]["/apis/intake/v2/workspaces/{workspace}/annotations"]
    annotation = annotations["post"]["requestBody"]["content"]["application/json"]["schema"]
    when_note = {"required": ["kind"], "properties": {"kind": {"enum": ["note"]}}}
    then = {"required": ["text"], "properties": {"text": {"type": "string"}}}
    assert {"if": when_note, "then": then} in annotation["allOf"]
    refused = http.post(f"{ws}/annotations", json={"session_id": "s1", "kind": "note"})
    assert refused.status_code == 422
    assert [item["loc"] for item in refused.json()["detail"]] == [["body", "text"]]
    feedback = {"session_id": "s1", "kind": "feedback", "value": "positive"}
    assert http.post(f"{ws}/annotations", json=feedback).status_code == 201


def test_each_api_keeps_its_own_schemas_and_operation_ids_for_shared_names(
    http: httpx.Client,
) -> None:
    # Both APIs have an `Experiment`: each operation's body is its own API's message.
    document = http.get("/openapi.json").json()

    def body_schema(path: str) -> dict[str, Any]:
        content = document["paths"][path]["post"]["requestBody"]["content"]
        name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        return dict(document["components"]["schemas"][name]["properties"])

    platform = body_schema("/api/v2/experiments")
    intake = body_schema("/apis/intake/v2/workspaces/{workspace}/experiments")
    assert "workflows" in platform and "workflows" not in intake
    assert "agent_name" in intake and "agent_name" not in platform
    # Generated clients name methods by operation id: each is unique.
    ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))


def test_unknown_resources_and_paths_get_404_json(http: httpx.Client, ws: str) -> None:
    missing = http.get(f"{ws}/experiments/nope")
    assert missing.status_code == 404
    assert "nope" in missing.json()["detail"]
    for path in (f"{ws}/nothing-here", "/", "/api/v9/unknown"):
        reply = http.get(path)
        assert reply.status_code == 404, path
        assert reply.json() == {"detail": "Not Found"}


def test_list_envelope_paging_sorting_and_bracket_filters(http: httpx.Client, ws: str) -> None:
    for index, agent in enumerate(["alpha", "beta", "alpha"]):
        create(http, ws, name=f"exp-{index}", agent_name=agent)

    reply = http.get(
        f"{ws}/experiments",
        params={"page": 1, "page_size": 2, "sort": "name", "filter[agent_name]": "alpha"},
    )
    assert reply.status_code == 200
    body = reply.json()
    assert [e["name"] for e in body["data"]] == ["exp-0", "exp-2"]
    assert body["pagination"] == {
        "page": 1,
        "page_size": 2,
        "current_page_size": 2,
        "total_pages": 1,
        "total_results": 2,
    }
    assert body["sort"] == "name"
    assert body["filter"]["agent_name"] == "alpha"

    default = http.get(f"{ws}/experiments/").json()  # a trailing slash is the same path
    assert default["sort"] == "-created_at"
    assert [e["name"] for e in default["data"]] == ["exp-2", "exp-1", "exp-0"]

    encoded = http.get(f"{ws}/experiments?filter%5Bagent_name%5D=beta").json()
    assert [e["name"] for e in encoded["data"]] == ["exp-1"]
    since = http.get(
        f"{ws}/experiments",
        params={"filter[created_at][$gte]": default["data"][0]["created_at"]},
    ).json()
    assert [e["name"] for e in since["data"]] == ["exp-2"]


@pytest.mark.parametrize(
    "query",
    [
        {"page_size": 5000},
        {"page": 0, "page_size": -1},
        {"page": 0},
        {"page_size": 0},
        {"sort": "bogus"},
        {"bogus": 1},
        {"filter[bogus]": "x"},
    ],
)
def test_bad_list_queries_get_400(http: httpx.Client, ws: str, query: dict[str, Any]) -> None:
    reply = http.get(f"{ws}/experiments", params=query)
    assert reply.status_code == 400
    assert isinstance(reply.json()["detail"], str) and reply.json()["detail"]


def test_put_replaces_and_guards_identity(http: httpx.Client, ws: str) -> None:
    create(http, ws, description="before")
    path = f"{ws}/experiments/experiment_alpha_2024"

    updated = http.put(path, json={**SEED_REQUEST, "summary": "done", "metadata": {"k": 1}})
    assert updated.status_code == 200
    assert updated.json()["summary"] == "done" and "description" not in updated.json()
    assert updated.json()["metadata"] == {"k": 1}

    conflict = http.put(path, json={**SEED_REQUEST, "agent_version": "v9"})
    assert conflict.status_code == 409
    assert "agent_version" in conflict.json()["detail"]
    invalid = http.put(path, json={"name": "experiment_alpha_2024"})
    assert invalid.status_code == 422
    assert http.put(f"{ws}/experiments/nope", json=SEED_REQUEST).status_code == 404


def test_delete_gets_204_without_body_and_frees_the_name(http: httpx.Client, ws: str) -> None:
    first = create(http, ws)
    reply = http.delete(f"{ws}/experiments/experiment_alpha_2024")
    assert reply.status_code == 204
    assert reply.content == b""
    no_internal_headers(reply)
    assert http.get(f"{ws}/experiments/experiment_alpha_2024").status_code == 404
    assert http.delete(f"{ws}/experiments/experiment_alpha_2024").status_code == 404
    second = create(http, ws)
    assert second["id"] != first["id"]
    deleted = http.get(f"{ws}/experiments", params={"filter[is_deleted]": "true"}).json()
    assert [e["id"] for e in deleted["data"]] == [first["id"]]


def test_experiment_groups_over_rest(http: httpx.Client, ws: str, workspace: str) -> None:
    created = http.post(f"{ws}/experiment-groups", json={"name": "vision", "description": "d"})
    assert created.status_code == 201
    group = created.json()
    assert group["experiment_count"] == 0 and group["workspace"] == workspace
    assert http.post(f"{ws}/experiment-groups", json={"name": "vision"}).status_code == 409
    assert http.post(f"{ws}/experiment-groups", json={}).status_code == 422

    create(http, ws, experiment_group_id=group["id"])
    fetched = http.get(f"{ws}/experiment-groups/vision").json()
    assert fetched["experiment_count"] == 1
    unknown_group = http.post(
        f"{ws}/experiments", json={**SEED_REQUEST, "name": "x", "experiment_group_id": "group_x"}
    )
    assert unknown_group.status_code == 201, "a soft reference: stored as given"
    assert http.get(f"{ws}/experiment-groups/vision").json()["experiment_count"] == 1

    http.post(f"{ws}/experiment-groups", json={"name": "audio"})
    assert http.put(f"{ws}/experiment-groups/audio", json={"name": "vision"}).status_code == 409
    renamed = http.put(f"{ws}/experiment-groups/audio", json={"name": "speech"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "speech"
    listed = http.get(f"{ws}/experiment-groups", params={"sort": "name"}).json()
    assert [g["name"] for g in listed["data"]] == ["speech", "vision"]
    assert http.delete(f"{ws}/experiment-groups/speech").status_code == 204
    assert http.get(f"{ws}/experiment-groups/speech").status_code == 404


def session(session_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "experiment_name": "experiment_alpha_2024",
        "status": "success",
        "started_at": "2024-01-15T09:30:00Z",
        "ended_at": "2024-01-15T09:30:02Z",
        **fields,
    }


def test_ingest_and_rollups_over_rest(http: httpx.Client, ws: str) -> None:
    create(http, ws)
    sessions = [
        session(
            f"s{i}",
            cost_usd=cost,
            latency_ms=latency,
            model_names=["resnet50"],
            evaluator_results=[{"name": "accuracy", "data_type": "NUMERIC", "value": acc}],
        )
        for i, (cost, latency, acc) in enumerate(
            [(0.05, 500, 0.5), (0.10, 1500, 0.75), (0.20, 2000, 1.0), (0.30, 3000, 0.25)]
        )
    ]
    reply = http.post(f"{ws}/ingest/sessions", json={"sessions": sessions})
    assert reply.status_code == 201
    assert reply.json() == {"ingested": 4}

    body = http.get(f"{ws}/experiments/experiment_alpha_2024").json()
    assert body["run_count"] == 4
    assert body["model_names"] == ["resnet50"]
    assert body["evaluator_names"] == ["accuracy"]
    assert body["cost_usd"]["median"] == 0.2 and body["cost_usd"]["p90"] == 0.3
    assert body["latency_ms"]["median"] == 2000 and body["latency_ms"]["count"] == 4
    assert body["aggregate_scores"]["accuracy"]["sum"] == 2.5

    # A result on a session adds to its mean; one on a session not seen yet waits for it.
    for session_id, value in (("s0", 1), ("later", 0)):
        scored = http.post(
            f"{ws}/evaluator-results",
            json={
                "span_id": "root",
                "session_id": session_id,
                "name": "helpful",
                "data_type": "BOOLEAN",
                "value": value,
            },
        )
        assert scored.status_code == 201, scored.text
        assert scored.json()["value"] == value
    body = http.get(f"{ws}/experiments/experiment_alpha_2024").json()
    assert body["aggregate_scores"]["helpful"]["count"] == 1
    assert body["aggregate_scores"]["helpful"]["mean"] == 1

    listed = http.get(
        f"{ws}/experiments/experiment_alpha_2024/sessions",
        params={"page_size": 2, "filter[status]": "success"},
    ).json()
    assert listed["pagination"]["total_results"] == 4
    assert [s["session_id"] for s in listed["data"]] == ["s0", "s1"]


def test_ingest_refusals_over_rest(http: httpx.Client, ws: str, workspace: str) -> None:
    create(http, ws)
    unknown = http.post(
        f"{ws}/ingest/sessions", json={"sessions": [session("a", experiment_name="ghost")]}
    )
    assert unknown.status_code == 400
    assert unknown.json() == {"detail": f"Experiment '{workspace}/ghost' does not exist."}

    invalid = http.post(
        f"{ws}/ingest/sessions", json={"sessions": [session("a"), session("b", cost_usd=-1)]}
    )
    assert invalid.status_code == 422
    assert invalid.json()["detail"] == [
        {
            "loc": ["body", "sessions", 1, "cost_usd"],
            "msg": "Input should be greater than or equal to 0",
            "type": "greater_than_equal",
        }
    ]
    wrong_type = http.post(
        f"{ws}/ingest/sessions", json={"sessions": [session("a", cost_usd="cheap")]}
    )
    assert wrong_type.status_code == 422
    assert wrong_type.json()["detail"][0]["loc"] == ["body", "sessions", 0, "cost_usd"]
    # A label's score is a number if anything: an object there is refused, not a server error.
    label = {"name": "tone", "data_type": "TEXT", "string_value": "calm", "value": {"a": 1}}
    labelled = http.post(
        f"{ws}/ingest/sessions", json={"sessions": [session("a", evaluator_results=[label])]}
    )
    assert labelled.status_code == 422
    loc = ["body", "sessions", 0, "evaluator_results", 0, "value"]
    assert [item["loc"] for item in labelled.json()["detail"]] == [loc]


def test_many_invalid_sessions_get_the_documented_422_listing_the_first_problems(
    http: httpx.Client, ws: str
) -> None:
    create(http, ws)
    invalid = [session(f"s{i}", cost_usd=-1, latency_ms=-1) for i in range(300)]
    reply = http.post(f"{ws}/ingest/sessions", json={"sessions": invalid})
    assert reply.status_code == 422, reply.text
    detail = reply.json()["detail"]
    assert detail[0] == {
        "loc": ["body", "sessions", 0, "latency_ms"],
        "msg": "Input should be greater than or equal to 0",
        "type": "greater_than_equal",
    }
    assert 1 < len(detail) <= 101
    listed = len(detail) - 1
    assert detail[-1] == {
        "loc": ["body"],
        "msg": f"{600 - listed} more problems not listed.",
        "type": "too_many",
    }
    assert http.get(f"{ws}/experiments/{SEED_REQUEST['name']}").json()["run_count"] == 0


def test_openapi_declares_the_paging_bounds_the_service_enforces(http: httpx.Client) -> None:
    document = http.get("/openapi.json").json()
    for path, limit in (
        ("/apis/intake/v2/workspaces/{workspace}/experiments", 1000),
        ("/apis/intake/v2/workspaces/{workspace}/spans", 1000),
        ("/api/datasets", 100),
    ):
        parameters = {p["name"]: p["schema"] for p in document["paths"][path]["get"]["parameters"]}
        assert parameters["page"]["minimum"] == 1
        assert (parameters["page_size"]["minimum"], parameters["page_size"]["maximum"]) == (
            1,
            limit,
        )


def test_openapi_document_is_served_and_matches_the_repository(http: httpx.Client) -> None:
    reply = http.get("/openapi.json")
    assert reply.status_code == 200
    assert (
        reply.json()
        == httpx.Response(200, content=(ROOT / "gateway/openapi.json").read_bytes()).json()
    )
    assert "/apis/intake/v2/workspaces/{workspace}/experiments" in reply.json()["paths"]


def test_rest_and_grpc_see_the_same_data(http: httpx.Client, ws: str, workspace: str) -> None:
    name = f"shared-{uuid.uuid4().hex[:6]}"
    created = create(http, ws, name=name)
    listed = http.get(f"{ws}/experiments", params={"filter[name]": name}).json()
    assert [e["id"] for e in listed["data"]] == [created["id"]]
