"""The API in a browser: /docs renders /openapi.json with Swagger UI, from the gateway alone."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

import httpx
import pytest

from tests.support.server import RunningServer

# Runs once: the database under test plays no part in it.
pytestmark = pytest.mark.backend_independent


def test_docs_page_lists_the_operations_in_a_real_browser(server: RunningServer) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (make test installs it when it can)")
    assert server.http_base is not None
    page = httpx.get(f"{server.http_base}/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for asset in ("/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"):
        assert httpx.get(f"{server.http_base}{asset}").status_code == 200
    with tempfile.TemporaryDirectory() as profile:
        rendered = subprocess.run(
            [
                chromium,
                *("--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}"),
                *("--virtual-time-budget=15000", "--dump-dom", f"{server.http_base}/docs"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    dom = rendered.stdout
    assert "opblock" in dom, rendered.stderr[-2000:]
    for path in (
        "/apis/intake/v2/workspaces/{workspace}/experiments",
        "/api/v2/experiments/{id}/comparison",
        "/apis/intake/v2/workspaces/{workspace}/experiments/{name}/events",
    ):
        assert path in dom, f"{path} not listed"
