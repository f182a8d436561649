"""A throwaway PostgreSQL cluster for the tests: Debian's binaries, a temporary data directory,
a loopback port, trust authentication, fsync off."""

from __future__ import annotations

import getpass
import glob
import os
import shutil
import subprocess
import uuid
from pathlib import Path

from tests.support.server import free_port


class PostgresUnavailable(Exception):
    pass


class PostgresCluster:
    def __init__(self, directory: Path) -> None:
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not candidates:
            raise PostgresUnavailable("no PostgreSQL server binaries (Debian package postgresql)")
        self.bin = Path(candidates[-1]).parent
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        # PostgreSQL refuses to run as root: as root, run it as the package's postgres user.
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.user = "postgres" if os.geteuid() == 0 else getpass.getuser()

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise PostgresUnavailable(f"{' '.join(args[:2])} failed: {done.stderr.strip()}")

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._as:
            shutil.chown(self.directory, "postgres", "postgres")
        if not self.data.exists():
            self._run(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                self.user,
                "--auth=trust",
                "--locale=C",
                "--encoding=UTF8",
            )
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=300"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.directory / "postgres.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def new_database(self) -> str:
        """A fresh, empty database; its SQLAlchemy async URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self._run(
            str(self.bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            self.user,
            name,
        )
        return f"postgresql+asyncpg://{self.user}@127.0.0.1:{self.port}/{name}"
