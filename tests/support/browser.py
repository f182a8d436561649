"""A real headless Chromium, driven over the DevTools protocol: pages are loaded and used as a
person would (clicks, typing), and scripts read what the page shows."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import websocket

from tests.support.server import free_port


class Browser:
    def __init__(self, socket: websocket.WebSocket) -> None:
        self._socket = socket
        self._ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """One DevTools command; events that arrive before its answer are skipped."""
        request_id = next(self._ids)
        self._socket.send(json.dumps({"id": request_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv())
            if message.get("id") == request_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        self.run(
            "() => new Promise(r => document.readyState === 'complete' ? r() : "
            "addEventListener('load', () => r()))"
        )

    def run(self, function: str, *arguments: Any) -> Any:
        """Await `function(...arguments)` (JavaScript source) in the page; its JSON result."""
        expression = f"({function})(...{json.dumps(arguments)})"
        answer = self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in answer:
            raise RuntimeError(answer["exceptionDetails"].get("exception", answer))
        return answer["result"].get("value")


@contextmanager
def chromium(executable: str | None = None) -> Iterator[Browser]:
    found = executable or shutil.which("chromium") or shutil.which("chromium-browser")
    assert found is not None, "chromium is not installed"
    port = free_port()
    with tempfile.TemporaryDirectory() as profile:
        process = subprocess.Popen(
            [
                found,
                *("--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}"),
                f"--remote-debugging-port={port}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            socket = websocket.create_connection(_page_socket(port), timeout=60)
            try:
                yield Browser(socket)
            finally:
                socket.close()
        finally:
            process.terminate()
            process.wait(timeout=30)


def _page_socket(port: int, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            targets = httpx.get(f"http://127.0.0.1:{port}/json", timeout=2).json()
            pages = [t for t in targets if t.get("type") == "page"]
            if pages:
                return str(pages[0]["webSocketDebuggerUrl"])
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("chromium did not open its DevTools port")
        time.sleep(0.1)
