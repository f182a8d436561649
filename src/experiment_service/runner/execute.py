"""Running one trace: the workflow chain, then the evaluators.

Step N's output is step N+1's input. A `completion` step sends its input as chat messages (an
OpenAI messages list as is; any other value as one user message); a `prompt` step renders its
prompt version with the row's variables (a JSON object input), where later steps also see the
previous output as `input`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from experiment_service.domain.clock import utcnow
from experiment_service.domain.models import EvaluatorResult, Session
from experiment_service.domain.platform import templates, workflows
from experiment_service.domain.platform.models import Evaluator, ScoreResult
from experiment_service.domain.platform.prompts import render_messages
from experiment_service.domain.platform.scoring import score_trace
from experiment_service.domain.platform.spans import CallUsage, evaluator_spans, span
from experiment_service.runner.llm import Completion, LLMClient, LLMError
from experiment_service.runner.providers import Providers
from experiment_service.runner.queue import Claim, Plan
from experiment_service.statuses import RunStatus, ScoreValueType, SpanKind, WorkflowType
from experiment_service.types import JSON, RowValues

# Completion parameters passed to the provider as given; max_tokens defaults as in the API.
PASSED_THROUGH = tuple(k for k in workflows.COMPLETION_KEYS if k != "model")
DEFAULT_MAX_TOKENS = 150
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_YES = re.compile(r"\b(yes|true|pass|passed|correct)\b", re.IGNORECASE)
_NO = re.compile(r"\b(no|false|fail|failed|incorrect)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Outcome:
    result: Session
    spans: list[RowValues]
    error: str | None


class RowExecutor:
    def __init__(self, client: LLMClient, providers: Providers) -> None:
        self._client = client
        self._providers = providers

    async def run(self, plan: Plan, claim: Claim) -> Outcome:
        started = utcnow()
        value: JSON = claim.input
        spans: list[RowValues] = []
        models: list[str] = []
        prompt_tokens = completion_tokens = 0
        cost = latency = 0.0
        error: str | None = None
        for position, workflow in enumerate(plan.workflows):
            step_started = utcnow()
            messages: Any = None
            completion: Completion | None = None
            try:
                body = self._body(plan, workflow, value, claim.input, position)
                messages = body["messages"]
                completion = await self._call(body)
            except (LLMError, templates.TemplateProblem) as failure:
                error = str(failure)
            spans.append(
                span(
                    position,
                    SpanKind.WORKFLOW,
                    workflow["type"],
                    input_=messages,
                    output=None if completion is None else completion.text,
                    usage=CallUsage() if completion is None else usage_of(completion),
                    error=error,
                    start=step_started,
                    end=utcnow(),
                )
            )
            if completion is None:
                break
            models.append(completion.model)
            prompt_tokens += completion.prompt_tokens
            completion_tokens += completion.completion_tokens
            cost += completion.cost
            latency += completion.latency
            value = completion.text
        scores: list[tuple[Evaluator, EvaluatorResult]] = []
        judge_usage: dict[str, CallUsage] = {}
        if error is None:
            scores, judge_usage = await score_trace(
                plan.evaluators, claim.input, value, claim.expected_output, judge=self._judge
            )
        spans.extend(evaluator_spans(len(spans), scores, value, utcnow(), judge_usage))
        result = Session(
            session_id=claim.session_id,
            experiment_name=plan.experiment_name,
            status=RunStatus.ERROR if error else RunStatus.SUCCESS,
            started_at=started,
            ended_at=utcnow(),
            latency_ms=latency * 1000 if models else None,
            input=claim.input,
            output=None if error else value,
            model_names=sorted(set(models)),
            input_tokens=prompt_tokens,
            output_tokens=completion_tokens,
            cost_usd=cost if models else None,
            evaluator_results=[result for _, result in scores],
        )
        return Outcome(result, spans, error)

    async def _call(self, body: dict[str, Any]) -> Completion:
        provider = self._providers.route(body["model"])
        if provider is None:
            raise LLMError(f"No LLM provider serves model '{body['model']}'.")
        return await self._client.complete(provider, body)

    def _body(
        self, plan: Plan, workflow: dict[str, Any], value: Any, row_input: Any, position: int
    ) -> dict[str, Any]:
        config = workflow.get("config") or {}
        if workflow["type"] == WorkflowType.COMPLETION:
            body = {"model": config["model"], "messages": as_messages(value)}
            body.update({key: config[key] for key in PASSED_THROUGH if key in config})
            body.setdefault("max_tokens", DEFAULT_MAX_TOKENS)
            return body
        version = plan.prompt_versions[config["prompt_id"]]
        variables = dict(row_input) if isinstance(row_input, dict) else {"input": row_input}
        if position > 0:
            variables.update(input=value, previous_output=value)
        body = {"model": version.model, "messages": render_messages(version, variables)}
        for key in ("temperature", "max_tokens", "top_p", "frequency_penalty", "presence_penalty"):
            if getattr(version, key) is not None:
                body[key] = getattr(version, key)
        body.update(version.extra_params)
        return body

    async def _judge(
        self, evaluator: Evaluator, input_: Any, output: Any, expected: Any
    ) -> tuple[ScoreResult, CallUsage | None]:
        """Ask the evaluator's judge model; the score and the call's usage (for its span)."""
        config = evaluator.config
        variables = {"input": input_, "output": output, "expected_output": expected}
        started = utcnow()
        try:
            prompt = templates.render(config["prompt"], variables)
            call = await self._call(
                {
                    "model": config["model"],
                    "messages": [{"role": "user", "content": prompt}],
                    "temperature": config.get("temperature", 0),
                }
            )
        except (LLMError, templates.TemplateProblem) as failure:
            return ScoreResult(None, evaluator.score_value_type, str(failure)), None
        return parse_score(evaluator, call.text), usage_of(call, started)


def usage_of(completion: Completion, started_at: datetime | None = None) -> CallUsage:
    return CallUsage(
        completion.model,
        completion.prompt_tokens,
        completion.completion_tokens,
        completion.cost,
        completion.latency,
        started_at,
    )


def as_messages(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict) and isinstance(value.get("messages"), list):
        value = value["messages"]
    if (
        isinstance(value, list)
        and value
        and all(isinstance(m, dict) and "role" in m for m in value)
    ):
        return value
    text = value if isinstance(value, str) else json.dumps(value)
    return [{"role": "user", "content": text}]


def parse_score(evaluator: Evaluator, answer: str) -> ScoreResult:
    """The judge's answer as a score of the evaluator's type, or an evaluator error."""
    kind = evaluator.score_value_type
    config = evaluator.config
    if kind == ScoreValueType.NUMERICAL:
        pattern = re.compile(config["score_pattern"]) if config.get("score_pattern") else _NUMBER
        match = pattern.search(answer)
        if match:
            try:
                return ScoreResult(
                    float(match.group(1) if match.groups() else match.group(0)), kind
                )
            except ValueError:
                pass
    elif kind == ScoreValueType.BOOLEAN:
        yes, no = _YES.search(answer), _NO.search(answer)
        if yes or no:
            first_yes = not no or (yes is not None and yes.start() < no.start())
            return ScoreResult(first_yes, kind)
    elif kind == ScoreValueType.CATEGORICAL:
        lowered = answer.lower()
        found = [(lowered.find(c.lower()), c) for c in evaluator.categories if c.lower() in lowered]
        if found:
            return ScoreResult(min(found)[1], kind)
    else:
        return ScoreResult(answer.strip(), kind)
    return ScoreResult(
        None, kind, f"Could not parse a {kind} score from the judge's answer: {answer[:200]!r}"
    )
