"""google.protobuf.Struct / Value <-> plain Python JSON values.

Hand-written rather than json_format.MessageToDict because ingestion converts thousands of
these per batch and the recursive walk over the C message is several times faster.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2

# google.protobuf.Value keeps every JSON number as a double; below 2**53 an integral double is
# exactly the integer the caller wrote, and templates and comparisons should see it as one.
_EXACT_INTEGERS = 2**53


def value_to_python(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "number_value":
        number = value.number_value
        if number.is_integer() and abs(number) < _EXACT_INTEGERS:
            return int(number)
        return number
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        return struct_to_dict(value.struct_value)
    if kind == "list_value":
        return [value_to_python(item) for item in value.list_value.values]
    return None


def struct_to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    fields = struct.fields
    if not fields:  # the common metadata case; iterating an empty map still costs
        return {}
    return {key: value_to_python(fields[key]) for key in fields}


def python_to_value(obj: Any) -> struct_pb2.Value:
    value = struct_pb2.Value()
    if obj is None:
        value.null_value = struct_pb2.NULL_VALUE
    elif isinstance(obj, bool):
        value.bool_value = obj
    elif isinstance(obj, int | float):
        value.number_value = obj
    elif isinstance(obj, str):
        value.string_value = obj
    elif isinstance(obj, dict):
        value.struct_value.SetInParent()  # an empty object is still a value, not none
        value.struct_value.update(obj)
    elif isinstance(obj, list | tuple):
        value.list_value.SetInParent()
        value.list_value.extend(obj)
    else:
        raise TypeError(f"not a JSON value: {type(obj).__name__}")
    return value


def dict_to_struct(obj: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(obj)
    return struct
