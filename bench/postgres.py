"""A throwaway PostgreSQL cluster for a benchmark run."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.postgres import PostgresCluster


@contextmanager
def postgres_cluster() -> Iterator[Callable[[], str]]:
    """A running cluster outside the private temporary directory (the server may run as
    another user); yields what makes a fresh database on it and returns its URL."""
    directory = Path(tempfile.mkdtemp(prefix="experiment-service-pg-bench-"))
    cluster = PostgresCluster(directory)
    cluster.start()
    try:
        yield cluster.new_database
    finally:
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)
