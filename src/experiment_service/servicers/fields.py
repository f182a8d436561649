"""Reading fields with presence (proto3 `optional`, messages) as Python values or None."""

from __future__ import annotations

from typing import Any

from experiment_service.servicers.json_values import struct_to_dict, value_to_python
from experiment_service.servicers.timestamps import from_timestamp


def optional(message: Any, field: str) -> Any:
    return getattr(message, field) if message.HasField(field) else None


def optional_value(message: Any, field: str) -> Any:
    """A google.protobuf.Value field as a plain JSON value; None when absent."""
    return value_to_python(getattr(message, field)) if message.HasField(field) else None


def optional_time(message: Any, field: str) -> Any:
    return from_timestamp(getattr(message, field)) if message.HasField(field) else None


def optional_struct(message: Any, field: str) -> Any:
    """A google.protobuf.Struct field as a JSON object; None when absent."""
    return struct_to_dict(getattr(message, field)) if message.HasField(field) else None


def set_present(message: Any, **values: object) -> None:
    """Set the fields whose value is not None (the others stay absent)."""
    for field, value in values.items():
        if value is not None:
            setattr(message, field, value)
