"""Streamed REST bodies of any content type (the exports), as google.api.HttpBody messages."""

from __future__ import annotations

from collections.abc import AsyncIterator

from google.api import httpbody_pb2


async def http_bodies(
    content_type: str, chunks: AsyncIterator[bytes]
) -> AsyncIterator[httpbody_pb2.HttpBody]:
    """The chunks, at least one: an empty export still carries its content type (with no
    message at all, Envoy frames the empty stream as Server-Sent Events)."""
    sent = False
    async for chunk in chunks:
        sent = True
        yield httpbody_pb2.HttpBody(content_type=content_type, data=chunk)
    if not sent:
        yield httpbody_pb2.HttpBody(content_type=content_type)
