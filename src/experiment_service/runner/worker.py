"""The runner loop: claim traces, run them concurrently, store results, keep leases alive."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from experiment_service.runner.execute import RowExecutor
from experiment_service.runner.llm import LLMClient
from experiment_service.runner.providers import Providers
from experiment_service.runner.queue import Claim, Outcome, Plan, TraceQueue
from experiment_service.storage.database import Database

log = logging.getLogger(__name__)

STORE_BATCH = 64
STORE_ATTEMPTS = 3


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("runner loop stopped", exc_info=task.exception())


class Runner:
    """Runs the traces of built-in workflows while the server runs.

    `max_in_flight` bounds the traces in work at once (each provider also bounds its own calls);
    a lease of `lease_seconds` is renewed every third of it while a trace is in work.
    """

    def __init__(
        self,
        database: Database,
        providers: Providers,
        *,
        lease_seconds: float = 30.0,
        poll_seconds: float = 1.0,
        max_in_flight: int | None = None,
    ) -> None:
        self.owner = f"runner-{uuid.uuid4().hex[:12]}"
        self._queue = TraceQueue(database)
        self._providers = providers
        self._client = LLMClient()
        self._executor = RowExecutor(self._client, providers)
        self._lease = lease_seconds
        self._poll = poll_seconds
        # Twice the providers' call limits: while some traces wait to be stored, others keep
        # every provider's calls busy (the providers' own semaphores still bound the calls).
        total = sum(p.concurrency for p in providers.providers)
        self._max_in_flight = max_in_flight or max(16, 2 * total)
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        # Traces in work, by task: only their leases are renewed. A trace whose task ended
        # without storing a result keeps a lease that lapses, and is claimed again.
        self._in_work: dict[asyncio.Task[None], int] = {}
        self._plans: dict[str, Plan | None] = {}
        self._tasks: list[asyncio.Task[None]] = []
        # Finished traces wait here to be stored together (group commit: one transaction for
        # all that finished while the previous batch was being written).
        self._finished_outcomes: asyncio.Queue[tuple[Outcome, asyncio.Future[bool]]] = (
            asyncio.Queue()
        )

    def kick(self) -> None:
        """New work: look now rather than at the next poll."""
        self._wake.set()

    async def start(self) -> None:
        try:
            await self._queue.report_held_leases()
        except Exception:  # a report only: it never keeps the runner from starting
            log.warning("could not read the leases held by other runners", exc_info=True)
        self._tasks = [
            asyncio.create_task(self._claim_loop()),
            asyncio.create_task(self._heartbeat()),
            asyncio.create_task(self._store_loop()),
        ]
        for task in self._tasks:
            task.add_done_callback(_report_crash)

    async def stop(self) -> None:
        for task in [*self._tasks, *self._in_flight]:
            task.cancel()
        for task in [*self._tasks, *self._in_flight]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await self._queue.release(self.owner)
        await self._client.close()

    async def _claim_loop(self) -> None:
        while True:
            free = self._max_in_flight - len(self._in_flight)
            claims: list[Claim] = []
            if free > 0:
                try:
                    claims = await self._queue.claim(self.owner, free, self._lease)
                except Exception:
                    log.exception("claiming traces failed")
            for claim in claims:
                task = asyncio.create_task(self._run(claim))
                self._in_flight.add(task)
                self._in_work[task] = claim.run_id
                task.add_done_callback(self._finished)
            if len(claims) < max(free, 1):  # nothing more to claim, or no room: wait
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._in_work.pop(task, None)
        self._wake.set()

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            if self._in_work:
                try:
                    await self._queue.renew(self.owner, list(self._in_work.values()), self._lease)
                except Exception:
                    log.exception("renewing leases failed")

    async def _run(self, claim: Claim) -> None:
        try:
            plan = await self._plan(claim.experiment_id)
            if plan is None:
                return
            outcome = await self._executor.run(plan, claim)
            stored: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            await self._finished_outcomes.put(
                ((claim, outcome.result, outcome.spans, outcome.error), stored)
            )
            if not await stored:
                log.info("lease lost; result dropped", extra={"trace": claim.session_id})
        except asyncio.CancelledError:
            raise
        except Exception:
            # The lease runs out and the trace is tried again (up to the attempt limit).
            log.exception("running a trace failed", extra={"trace": claim.session_id})

    async def _store_loop(self) -> None:
        while True:
            batch = [await self._finished_outcomes.get()]
            while not self._finished_outcomes.empty() and len(batch) < STORE_BATCH:
                batch.append(self._finished_outcomes.get_nowait())
            try:
                results = await self._store(batch)
            except Exception as error:
                for _, future in batch:
                    future.set_exception(error)
                continue
            for (_, future), stored in zip(batch, results, strict=True):
                future.set_result(stored)

    async def _store(self, batch: list[tuple[Outcome, asyncio.Future[bool]]]) -> list[bool]:
        """Store a batch; a transient failure (e.g. a deadlock victim) is retried."""
        for attempt in range(STORE_ATTEMPTS):
            try:
                return await self._queue.complete(self.owner, [item for item, _ in batch])
            except Exception:
                if attempt == STORE_ATTEMPTS - 1:
                    raise
                log.warning("storing results failed; retrying", exc_info=True)
                await asyncio.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    async def _plan(self, experiment_id: str) -> Plan | None:
        if experiment_id not in self._plans:
            try:
                plan = await self._queue.plan(experiment_id)
            except LookupError as missing:
                await self._queue.fail_experiment(experiment_id, str(missing))
                plan = None
            if plan is not None:
                unserved = sorted(m for m in plan.models() if self._providers.route(m) is None)
                if unserved:
                    where = ", ".join(f"'{m}'" for m in unserved)
                    hint = (
                        ""
                        if self._providers.providers
                        else (" Configure one with `serve --llm-base-url URL` or `--config FILE`.")
                    )
                    await self._queue.fail_experiment(
                        experiment_id, f"No LLM provider serves model {where}.{hint}"
                    )
                    plan = None
            self._plans[experiment_id] = plan
        return self._plans[experiment_id]
