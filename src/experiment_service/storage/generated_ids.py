"""Ids the database makes itself, one per row of a set-based INSERT ... SELECT."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class random_hex_id(FunctionElement[str]):
    """32 random hex digits, like `uuid.uuid4().hex`, evaluated per row."""

    type = String()
    inherit_cache = True


@compiles(random_hex_id, "sqlite")
def _sqlite(element: random_hex_id, compiler: Any, **kw: Any) -> str:
    return "lower(hex(randomblob(16)))"


@compiles(random_hex_id, "postgresql")
def _postgresql(element: random_hex_id, compiler: Any, **kw: Any) -> str:
    return "replace(CAST(gen_random_uuid() AS TEXT), '-', '')"
