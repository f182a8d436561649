"""What model calls cost: per-model prices in USD per million tokens, from the providers
configuration, for the runner's own calls and for ingested LLM spans that report tokens but
no cost."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Price:
    input: float
    """USD per million prompt tokens."""
    output: float
    """USD per million completion tokens."""

    def costs(self, prompt_tokens: int, completion_tokens: int) -> tuple[float, float]:
        """(input cost, output cost) in USD."""
        return prompt_tokens * self.input / 1_000_000, completion_tokens * self.output / 1_000_000

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return sum(self.costs(prompt_tokens, completion_tokens))


@dataclass(frozen=True)
class PriceTable:
    """Prices by exact model name."""

    prices: Mapping[str, Price] = field(default_factory=dict)

    def of(self, model: str | None) -> Price | None:
        return self.prices.get(model) if model else None
