"""The API in a browser: /docs renders /openapi.json with Swagger UI, from the gateway alone."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

import httpx
import pytest

from tests.support.browser import chromium
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


# What a person does on /docs: Authorize with a key, open an operation, try it out, execute.
AUTHORIZE_AND_EXECUTE = """
async (key, operation) => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const until = async (find, what) => {
    for (let waited = 0; waited < 20000; waited += 100) {
      const found = find();
      if (found) return found;
      await sleep(100);
    }
    throw new Error('not shown: ' + what);
  };
  const type = (input, text) => {
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    setter.call(input, text);
    input.dispatchEvent(new Event('input', {bubbles: true}));
  };
  (await until(() => document.querySelector('.auth-wrapper .authorize'), 'Authorize')).click();
  type(await until(() => document.querySelector('.modal-ux input'), 'the key field'), key);
  (await until(() => document.querySelector('.modal-ux .auth-btn-wrapper .authorize'),
    'Authorize in the dialog')).click();
  (await until(() => document.querySelector('.modal-ux .btn-done'), 'Close')).click();
  const block = await until(() => document.getElementById(operation), operation);
  block.querySelector('.opblock-summary-control').click();
  (await until(() => block.querySelector('.try-out__btn'), 'Try it out')).click();
  (await until(() => block.querySelector('.btn.execute'), 'Execute')).click();
  const status = await until(
    () => block.querySelector('.live-responses-table .response .response-col_status'),
    'the response');
  const body = block.querySelector('.live-responses-table .response-col_description pre');
  return {status: status.textContent.trim(), body: body ? body.textContent : ''};
}
"""


def test_a_call_made_from_the_docs_page_with_a_key_succeeds(
    server: RunningServer, api_key: str
) -> None:
    if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
        pytest.skip("Debian's chromium is not installed (make test installs it when it can)")
    assert server.http_base is not None
    headers = {"authorization": f"Bearer {api_key}"}
    created = httpx.post(
        f"{server.http_base}/api/datasets/", json={"name": "seen"}, headers=headers
    )
    assert created.status_code == 201
    document = httpx.get(f"{server.http_base}/openapi.json").json()
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    assert document["paths"]["/api/datasets"]["get"]["security"] == [{"apiKey": []}]
    with chromium() as browser:
        browser.open(f"{server.http_base}/docs")
        answer = browser.run(
            AUTHORIZE_AND_EXECUTE, api_key, "operations-DatasetService-ListDatasets"
        )
    assert answer["status"] == "200", answer
    assert '"seen"' in answer["body"]
