"""Calls to OpenAI-compatible chat completions, with limits, retries and accounting."""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
from dataclasses import dataclass
from typing import Any

import httpx

from experiment_service.runner.providers import Provider

log = logging.getLogger(__name__)

RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504}
MAX_BACKOFF_SECONDS = 30.0


class LLMError(Exception):
    """A call that failed for good: the provider's error text, after any retries."""


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency: float
    cost: float


class LLMClient:
    """One HTTP connection pool, and one concurrency limit per provider."""

    def __init__(self) -> None:
        self._http = httpx.AsyncClient(limits=httpx.Limits(max_connections=512))
        self._limits: dict[str, asyncio.Semaphore] = {}

    async def close(self) -> None:
        await self._http.aclose()

    async def complete(self, provider: Provider, body: dict[str, Any]) -> Completion:
        limit = self._limits.setdefault(provider.name, asyncio.Semaphore(provider.concurrency))
        headers = {"content-type": "application/json"}
        if provider.api_key:
            headers["authorization"] = f"Bearer {provider.api_key}"
        url = f"{provider.base_url}/chat/completions"
        attempt = 0
        while True:
            started = time.perf_counter()
            async with limit:
                try:
                    reply = await self._http.post(
                        url, json=body, headers=headers, timeout=provider.timeout_seconds
                    )
                except (httpx.TimeoutException, httpx.TransportError) as error:
                    failure, retry_after = f"{type(error).__name__}: {error}", None
                else:
                    if reply.status_code == 200:
                        return _completion(provider, body, reply, time.perf_counter() - started)
                    failure = f"HTTP {reply.status_code}: {reply.text[:500]}"
                    if reply.status_code not in RETRYABLE_STATUS:
                        raise LLMError(f"{provider.name}: {failure}")
                    retry_after = _retry_after(reply)
            if attempt >= provider.max_retries:
                raise LLMError(f"{provider.name}: {failure} (after {attempt + 1} attempts)")
            delay = retry_after if retry_after is not None else _backoff(provider, attempt)
            log.debug(
                "retrying", extra={"provider": provider.name, "delay": delay, "failure": failure}
            )
            attempt += 1
            await asyncio.sleep(delay)


def _backoff(provider: Provider, attempt: int) -> float:
    """Exponential backoff with full jitter."""
    return random.uniform(0, min(MAX_BACKOFF_SECONDS, provider.backoff_seconds * 2**attempt))


def _retry_after(reply: httpx.Response) -> float | None:
    value = reply.headers.get("retry-after")
    if value is None:
        return None
    try:
        return min(MAX_BACKOFF_SECONDS, max(0.0, float(value)))
    except ValueError:
        moment = email.utils.parsedate_to_datetime(value)
        return min(MAX_BACKOFF_SECONDS, max(0.0, moment.timestamp() - time.time()))


def _completion(
    provider: Provider, body: dict[str, Any], reply: httpx.Response, latency: float
) -> Completion:
    try:
        payload = reply.json()
        message = payload["choices"][0]["message"]
        text = message.get("content")
        if text is None and message.get("tool_calls"):
            text = json.dumps(message["tool_calls"])
        usage = payload.get("usage") or {}
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise LLMError(f"{provider.name}: malformed response: {reply.text[:300]!r}") from None
    model = str(payload.get("model") or body["model"])
    prompt_tokens = int(usage.get("prompt_tokens") or 0)
    completion_tokens = int(usage.get("completion_tokens") or 0)
    return Completion(
        text=str(text or ""),
        model=model,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        latency=latency,
        cost=provider.cost(str(body["model"]), prompt_tokens, completion_tokens),
    )
