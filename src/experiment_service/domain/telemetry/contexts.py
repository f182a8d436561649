"""The experiment a producer's capture (ATIF, chat completion) reports for."""

from __future__ import annotations

from dataclasses import dataclass

from experiment_service.domain.errors import FailedPrecondition
from experiment_service.domain.validation import MAX_NAME_LENGTH, Violations
from experiment_service.statuses import ExperimentKind
from experiment_service.storage import queries
from experiment_service.storage.database import Transaction


@dataclass(frozen=True)
class EvaluationContext:
    """`evaluation_context` (or the deprecated `experiment_context`): an experiment by name,
    and the test case."""

    experiment_name: str | None = None
    test_case_id: str | None = None

    def validate(self, violations: Violations) -> None:
        violations.name("evaluation_context.evaluation_id", self.experiment_name, required=False)
        violations.text("evaluation_context.test_case_id", self.test_case_id, MAX_NAME_LENGTH)

    def attributes(self) -> dict[str, str]:
        """The context as the span attributes that name it."""
        found = {"nemo.experiment.id": self.experiment_name, "nemo.test_case.id": self.test_case_id}
        return {name: value for name, value in found.items() if value is not None}


async def require_experiment(
    session: Transaction, workspace: str, context: EvaluationContext
) -> None:
    """Captures may only name experiments that exist (unlike OTLP spans, stored whatever they
    name): NVIDIA's 400 otherwise."""
    name = context.experiment_name
    if name is None:
        return
    found = await queries.experiments.live_ids_by_name(
        session, workspace, ExperimentKind.INTAKE, [name]
    )
    if found:
        return
    if await queries.experiments.was_deleted(session, workspace, ExperimentKind.INTAKE, name):
        raise FailedPrecondition(
            f"Experiment '{name}' has been deleted and cannot accept new sessions."
        )
    raise FailedPrecondition(f"Experiment '{name}' must be created before it can be logged.")
