"""A stand-in LLM provider: an OpenAI-compatible HTTP server on loopback.

The model name picks the behaviour, so one server serves every test:
    echo      answers the last user message
    upper     answers it upper-cased
    sum       answers the sum of the integers in it ("What is 2 + 3?" -> "5")
    judge     answers "Score: 8/10"; judge-yes answers "Yes, that is correct.";
              judge-garbage answers "I would rather not say."
    flaky     fails twice per distinct message (429 with Retry-After, then 500), then echoes
    broken    always answers 500
    outage    answers 503 to messages containing "fail" while `outage` is set, else echoes
    malformed answers 200 with a body that is not a completion
Every answer waits `latency` seconds first. Requests are recorded for assertions.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class FakeLLM:
    def __init__(self) -> None:
        self.latency = 0.0
        self.outage = False
        self.requests: list[dict[str, Any]] = []
        self.attempts: Counter[str] = Counter()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                status, headers, payload = fake.answer(body, self.headers.get("authorization"))
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                for key, value in {**headers, "content-length": str(len(data))}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a caller that gave up (cancelled, timed out) is not the fake's problem

        self._server = Server(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def calls(self, model: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if r["model"] == model]

    def answer(
        self, body: dict[str, Any], authorization: str | None
    ) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            self.requests.append({**body, "_authorization": authorization})
        if self.latency:
            time.sleep(self.latency)
        model = body["model"]
        last = next((m["content"] for m in reversed(body["messages"]) if m["role"] == "user"), "")
        if model == "flaky":
            with self._lock:
                self.attempts[last] += 1
                attempt = self.attempts[last]
            if attempt == 1:
                return 429, {"retry-after": "0.05"}, {"error": {"message": "slow down"}}
            if attempt == 2:
                return 500, {}, {"error": {"message": "upstream hiccup"}}
        if model == "outage" and self.outage and "fail" in last:
            return 503, {}, {"error": {"message": "the provider is down"}}
        if model == "broken":
            return 500, {}, {"error": {"message": "the model is on fire"}}
        if model == "malformed":
            return 200, {"content-type": "application/json"}, b'{"oops": true}'
        text = {
            "upper": lambda: last.upper(),
            "sum": lambda: str(sum(int(n) for n in re.findall(r"-?\d+", last))),
            "judge": lambda: "Score: 8/10",
            "judge-yes": lambda: "Yes, that is correct.",
            "judge-garbage": lambda: "I would rather not say.",
        }.get(model, lambda: last)()
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in body["messages"])
        return (
            200,
            {"content-type": "application/json"},
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": text},
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": len(text.split()),
                    "total_tokens": prompt_tokens + len(text.split()),
                },
            },
        )


def providers_file(directory: Path, fake: FakeLLM, concurrency: int = 16) -> Path:
    """A providers file (serve --config) naming `fake` as the provider of every model."""
    path = directory / "providers.toml"
    path.write_text(
        f'[[providers]]\nname = "fake"\nbase_url = "{fake.base_url}"\nconcurrency = {concurrency}\n'
    )
    return path
