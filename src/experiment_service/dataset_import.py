"""`experiment-service datasets import`: load a JSONL or CSV file into a dataset over gRPC.

JSONL: one object per line with `input` (any JSON), optional `expected_output` and `metadata`.
CSV: a header row; `expected_output` and `metadata` columns are taken as such (JSON when they
parse as JSON), every other column becomes a key of the row's `input` object.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc

from experiment_service.api.platform.v2 import datasets_pb2, datasets_pb2_grpc
from experiment_service.api.platform.v2 import resources_pb2 as res
from experiment_service.servicers.json_values import dict_to_struct, python_to_value

BATCH_ROWS = 1000


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            for record in csv.DictReader(handle):
                row: dict[str, Any] = {"input": {}}
                for column, text in record.items():
                    if column == "metadata":
                        row[column] = _metadata(text)
                    elif column == "expected_output":
                        # A CSV cell is text: "4.50" stays "4.50" (exact_match still finds it
                        # equal to 4.5); an empty cell means no expected output.
                        row[column] = text or None
                    else:
                        row["input"][column] = text
                yield row
        return
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not JSON: {error.msg}") from None
            if not isinstance(row, dict) or "input" not in row:
                raise ValueError(f"{path}:{number}: expected an object with an `input`")
            yield row


def _metadata(text: str | None) -> dict[str, Any]:
    """A CSV `metadata` cell: a JSON object, or empty."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise ValueError(f"a metadata cell must be a JSON object, not {text[:100]!r}")
    return value


def to_message(row: dict[str, Any]) -> res.DatasetRow:
    message = res.DatasetRow(metadata=dict_to_struct(row.get("metadata") or {}))
    message.input.CopyFrom(python_to_value(row["input"]))
    if row.get("expected_output") is not None:
        message.expected_output.CopyFrom(python_to_value(row["expected_output"]))
    return message


def import_file(server: str, api_key: str, dataset_id: str, path: Path) -> int:
    """Send the file in batches; each batch is atomic. Returns the rows added."""
    added = 0
    metadata = (("authorization", f"Bearer {api_key}"),)
    with grpc.insecure_channel(server) as channel:
        stub = datasets_pb2_grpc.DatasetServiceStub(channel)
        batch: list[res.DatasetRow] = []

        def send() -> None:
            nonlocal added
            reply = stub.BatchCreateDatasetRows(
                datasets_pb2.BatchCreateDatasetRowsRequest(dataset_id=dataset_id, rows=batch),
                metadata=metadata,
            )
            added += reply.created
            print(f"  {added} rows added (dataset has {reply.row_count})", file=sys.stderr)
            batch.clear()

        for row in read_rows(path):
            batch.append(to_message(row))
            if len(batch) == BATCH_ROWS:
                send()
        if batch:
            send()
    return added
