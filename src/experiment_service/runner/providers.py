"""LLM providers: OpenAI-compatible endpoints, routed by model name, with optional prices.

A configuration file (TOML) lists providers; the first whose `models` patterns match a model
serves it:

    [[providers]]
    name = "openai"
    base_url = "https://api.openai.com/v1"   # POST {base_url}/chat/completions
    api_key_env = "OPENAI_API_KEY"           # read from the environment, never stored
    models = ["gpt-*", "o1*"]                # fnmatch patterns; default ["*"]
    concurrency = 16                         # calls in flight at once
    timeout_seconds = 60                     # per call
    max_retries = 5                          # on 429, 5xx, timeouts and connection errors

    [providers.prices."gpt-4o-mini"]         # USD per million tokens
    input = 0.15
    output = 0.60
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiment_service.domain.pricing import Price, PriceTable


@dataclass(frozen=True)
class Provider:
    name: str
    """A label for logs and errors."""
    base_url: str
    """OpenAI-compatible API root; calls go to {base_url}/chat/completions."""
    api_key: str | None = None
    """The key, read from `api_key_env` at load time."""
    models: tuple[str, ...] = ("*",)
    """fnmatch patterns of the model names this provider serves."""
    concurrency: int = 16
    """Most calls in flight at once."""
    timeout_seconds: float = 60.0
    """Time limit of one call."""
    max_retries: int = 5
    """Retries after a 429, a 5xx, a timeout or a connection error."""
    backoff_seconds: float = 0.5
    """First retry delay; doubles each retry, with full jitter, at most 30 s."""
    prices: dict[str, Price] = field(default_factory=dict)
    """Per-model prices; a model without one costs 0."""

    def serves(self, model: str) -> bool:
        return any(fnmatch.fnmatchcase(model, pattern) for pattern in self.models)

    def cost(self, model: str, prompt_tokens: int, completion_tokens: int) -> float:
        price = self.prices.get(model)
        return price.cost(prompt_tokens, completion_tokens) if price else 0.0


@dataclass(frozen=True)
class Providers:
    providers: tuple[Provider, ...] = ()
    command_line_prices: dict[str, Price] = field(default_factory=dict)
    """`--llm-price` prices, which also price ingested spans without `--llm-base-url`."""

    def route(self, model: str) -> Provider | None:
        return next((p for p in self.providers if p.serves(model)), None)

    def price_table(self) -> PriceTable:
        """Every provider's prices by model; the first provider that prices a model wins."""
        prices = dict(self.command_line_prices)
        for provider in reversed(self.providers):
            prices.update(provider.prices)
        return PriceTable(prices)

    def describe(self) -> list[dict[str, Any]]:
        """What a log may say of the providers: never their keys."""
        return [
            {
                "name": p.name,
                "base_url": p.base_url,
                "models": list(p.models),
                "priced_models": sorted(p.prices),
                "api_key": "set" if p.api_key else "none",
            }
            for p in self.providers
        ]


def load(
    path: Path | None,
    llm_base_url: str | None = None,
    llm_prices: dict[str, tuple[float, float]] | None = None,
) -> Providers:
    """Providers from a TOML file, plus a catch-all one for `--llm-base-url` (priced by
    `llm_prices`: model -> (input, output) USD per million tokens). Raises ValueError, naming
    the file, when the file cannot be used."""
    found: list[Provider] = []
    if path is not None:
        try:
            document = tomllib.loads(path.read_text())
            found.extend(_provider(entry) for entry in document.get("providers", []))
        except (OSError, tomllib.TOMLDecodeError, ValueError, TypeError, AttributeError) as error:
            raise ValueError(f"{path}: {error}") from None
    prices = {model: Price(*price) for model, price in (llm_prices or {}).items()}
    if llm_base_url:
        found.append(
            Provider(
                name="default",
                base_url=llm_base_url.rstrip("/"),
                api_key=os.environ.get("OPENAI_API_KEY"),
                prices=prices,
            )
        )
    return Providers(tuple(found), prices)


def _provider(entry: dict[str, Any]) -> Provider:
    if "base_url" not in entry:
        raise ValueError(f"provider {entry.get('name', '?')!r} has no base_url")
    key_env = entry.get("api_key_env")
    return Provider(
        name=str(entry.get("name", entry["base_url"])),
        base_url=str(entry["base_url"]).rstrip("/"),
        api_key=os.environ.get(key_env) if key_env else None,
        models=tuple(entry.get("models", ["*"])),
        concurrency=int(entry.get("concurrency", 16)),
        timeout_seconds=float(entry.get("timeout_seconds", 60)),
        max_retries=int(entry.get("max_retries", 5)),
        backoff_seconds=float(entry.get("backoff_seconds", 0.5)),
        prices={
            model: Price(float(p.get("input", 0)), float(p.get("output", 0)))
            for model, p in entry.get("prices", {}).items()
        },
    )
