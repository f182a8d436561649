"""Annotations through NVIDIA's SDK: feedback, notes, metadata and labels on sessions and spans,
listed with filters, read back and deleted."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from nemo_platform import NeMoPlatform, NotFoundError

from tests.test_telemetry import base


@pytest.fixture
def sdk(rest_base: str, workspace: str) -> Iterator[NeMoPlatform]:
    with NeMoPlatform(base_url=rest_base, workspace=workspace) as client:
        yield client


def test_every_kind_round_trips_and_lists_by_filter(sdk: NeMoPlatform, workspace: str) -> None:
    annotations = sdk.intake.annotations
    thumbs = annotations.create(
        workspace=workspace, kind="feedback", session_id="s1", span_id="abc", value="negative"
    )
    note = annotations.create(
        workspace=workspace, kind="note", session_id="s1", text="Wrong unit in the answer."
    )
    meta = annotations.create(
        workspace=workspace, kind="metadata", session_id="s2", metadata={"reviewer": "kim", "n": 2}
    )
    tag = annotations.create(
        workspace=workspace, kind="label", session_id="s2", value_type="text", value="regression"
    )
    score = annotations.create(
        workspace=workspace,
        kind="label",
        session_id="s2",
        value_type="numeric",
        value=4,
        name="helpfulness",
    )
    assert thumbs.kind == "feedback" and thumbs.value == "negative" and thumbs.span_id == "abc"
    assert note.text == "Wrong unit in the answer." and note.span_id is None
    assert meta.metadata == {"reviewer": "kim", "n": 2}
    assert tag.value == "regression" and score.value == 4 and score.name == "helpfulness"

    fetched = annotations.retrieve(note.annotation_id, workspace=workspace)
    assert fetched.annotation_id == note.annotation_id and fetched.kind == "note"

    listed = annotations.list(workspace=workspace, page_size=100)
    assert [a.annotation_id for a in listed.data] == [
        score.annotation_id,
        tag.annotation_id,
        meta.annotation_id,
        note.annotation_id,
        thumbs.annotation_id,
    ]
    session_one = annotations.list(workspace=workspace, filter={"session_id": "s1"})
    assert {a.kind for a in session_one.data} == {"feedback", "note"}
    labels = annotations.list(
        workspace=workspace, filter={"kind": "label", "value_numeric": {"$gte": 3}}
    )
    assert [a.annotation_id for a in labels.data] == [score.annotation_id]
    negative = annotations.list(workspace=workspace, filter={"value_text": "negative"})
    assert [a.annotation_id for a in negative.data] == [thumbs.annotation_id]

    annotations.delete(thumbs.annotation_id, workspace=workspace)
    with pytest.raises(NotFoundError):
        annotations.retrieve(thumbs.annotation_id, workspace=workspace)
    assert annotations.list(workspace=workspace).pagination.total_results == 4


def test_invalid_annotations_are_refused(http: httpx.Client, workspace: str) -> None:
    path = f"{base(workspace)}/annotations"
    for body, field in (
        ({"kind": "feedback", "session_id": "s", "value": "meh"}, "value"),
        ({"kind": "note", "session_id": "s"}, "text"),
        ({"kind": "metadata", "session_id": "s", "metadata": {}}, "metadata"),
        ({"kind": "label", "session_id": "s", "value_type": "numeric", "value": 3}, "name"),
        ({"kind": "label", "session_id": "s", "value_type": "text", "value": 3}, "value"),
        ({"kind": "mood", "session_id": "s"}, "kind"),
        ({"kind": "note", "text": "x"}, "session_id"),
    ):
        refused = http.post(path, json=body)
        assert refused.status_code == 422, body
        assert ["body", field] in [item["loc"] for item in refused.json()["detail"]], body
    assert http.get(path).json()["pagination"]["total_results"] == 0
    assert http.delete(f"{path}/ann_nope").status_code == 404
    assert http.get(path, params={"filter[kind]": "mood"}).status_code == 400
