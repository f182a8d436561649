"""API keys for tests, made with the real `experiment-service api-keys` command."""

from __future__ import annotations

import subprocess

from tests.support.server import CONSOLE_SCRIPT, RunningServer


def api_keys(server: RunningServer, *args: str) -> str:
    done = subprocess.run(
        [CONSOLE_SCRIPT, "api-keys", *args, f"--database-url={server.database_url}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def create_api_key(server: RunningServer, workspace: str) -> tuple[str, str]:
    """(key id, key) of a new key of `workspace`."""
    fields = dict(
        line.split(":", 1)
        for line in api_keys(server, "create", "--workspace", workspace).splitlines()
    )
    return fields["id"].strip(), fields["key"].strip()
