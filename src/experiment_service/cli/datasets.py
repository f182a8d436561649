"""`experiment-service datasets import`: load a JSONL or CSV file into a dataset over gRPC.

JSONL: one object per line with `input` (any JSON), optional `expected_output` and `metadata`.
CSV: a header row; `expected_output` and `metadata` columns are taken as such (JSON when they
parse as JSON), every other column becomes a key of the row's `input` object.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from experiment_service.api.platform.v2 import datasets_pb2, datasets_pb2_grpc
from experiment_service.api.platform.v2 import resources_pb2 as res
from experiment_service.cli import client
from experiment_service.cli.options import add_client_flags

BATCH_ROWS = 1000


def register(commands: Any) -> None:
    datasets = commands.add_parser("datasets", help="bulk dataset operations")
    actions = datasets.add_subparsers(dest="dataset_command", required=True, metavar="ACTION")
    load = actions.add_parser(
        "import",
        help="add the rows of a JSONL or CSV file to a dataset",
        description="Add rows from a JSONL file (objects with input, expected_output?, "
        "metadata?) or a CSV file (expected_output and metadata columns; every other column "
        "becomes a key of the input object) through the batch RPC, 1000 rows per batch.",
    )
    load.add_argument("dataset_id", help="the dataset to add to")
    load.add_argument("file", type=Path, help="a .jsonl or .csv file")
    add_client_flags(load)
    load.set_defaults(run=lambda args: client.run(lambda: _run(args)))


def _run(args: argparse.Namespace) -> int:
    try:
        added = import_file(args.server, args.api_key, args.dataset_id, args.file)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"imported {added} rows into {args.dataset_id}")
    return 0


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
    message = res.DatasetRow()
    json_format.ParseDict(row.get("metadata") or {}, message.metadata)
    json_format.ParseDict(row["input"], message.input)
    if row.get("expected_output") is not None:
        json_format.ParseDict(row["expected_output"], message.expected_output)
    return message


def import_file(server: str, api_key: str, dataset_id: str, path: Path) -> int:
    """Send the file in batches; each batch is atomic. Returns the rows added."""
    added = 0
    with client.connect(server, api_key) as (channel, metadata):
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
