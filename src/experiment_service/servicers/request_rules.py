"""Refuses requests that break their fields' declared rules, before any method runs.

The rules are the ones the OpenAPI document states (field_rules.py reads both), so a request
the document calls valid passes here, and one it calls invalid is refused with every violation
listed. Domain services check only what no rule states (a session's end before its start).
Each message type's rules are read once into a plan (rule_plans.py) and compiled into one
check (rule_code.py).
"""

from __future__ import annotations

import logging
from typing import Any, cast

from google.protobuf import descriptor
from google.protobuf.message import Message

from experiment_service.domain.errors import DomainError, FieldViolation, InvalidArgument
from experiment_service.domain.validation import Violations
from experiment_service.servicers.interceptors import Handler, StreamHandler, UnaryInterceptor
from experiment_service.servicers.rule_code import check_of
from experiment_service.storage.database import WRITES_REFUSED, WritesRefused
from experiment_service.types import ServicerContext

log = logging.getLogger(__name__)


def broken_rules(request: Message) -> list[FieldViolation]:
    """Every rule `request` breaks. With an `update_mask` set (AIP-134), the resource it
    updates is partial: its REQUIRED fields are the mask's business, not the rules'."""
    check = check_of(cast(descriptor.Descriptor, request.DESCRIPTOR))
    if check is None:
        return []
    violations = Violations()
    masked = "update_mask" in request.DESCRIPTOR.fields_by_name and request.HasField("update_mask")
    check(request, violations, False, masked)
    return violations.items


class RequestRulesInterceptor(UnaryInterceptor):
    """Refuses requests that break their rules. It sits inside the domain-error interceptor,
    which turns the refusal into the caller's status and REST body.

    A unary request that breaks rules still runs, with writes refused (storage's
    WRITES_REFUSED), so that the refusal also lists the problems only the domain finds: the
    caller learns every problem at once, as from the domain alone.
    """

    def wrap(self, method: str, inner: Handler) -> Handler:
        async def call(request: Any, context: ServicerContext) -> Any:
            broken = broken_rules(request)
            if not broken:
                return await inner(request, context)
            refused = WRITES_REFUSED.set(True)
            try:
                await inner(request, context)
            except InvalidArgument as refusal:
                if type(refusal) is not InvalidArgument:
                    raise  # a body it cannot read at all (400, 415) says only that
                raise _merged(refusal.violations, broken) from None
            except (DomainError, WritesRefused):
                pass
            except Exception:
                # The domain may take the rules as kept (a score that is a number) and fail on
                # what breaks them: the rules' refusal is the answer.
                log.debug("a request breaking its rules failed in the domain", exc_info=True)
            finally:
                WRITES_REFUSED.reset(refused)
            raise InvalidArgument(broken)

        return call

    def wrap_stream(self, method: str, inner: StreamHandler) -> StreamHandler:
        async def call(request: Any, context: ServicerContext) -> Any:
            broken = broken_rules(request)
            if broken:  # streams may run for long: their rules alone answer
                raise InvalidArgument(broken)
            async for response in inner(request, context):
                yield response

        return call


def _merged(found: list[FieldViolation], broken: list[FieldViolation]) -> InvalidArgument:
    """The domain's violations, then the rules' on fields the domain did not name. Domain
    services may name a body's fields without the request field that holds the body
    (`name` for `dataset.name`): a rule's field ending in a named one is named too. A field
    the domain names a part of (`config.prompt_id` for `config`) is named more precisely."""
    named = {violation.field for violation in found}
    # Each named field, and each field holding it (`config` of `config.prompt_id`).
    covered = {name.rsplit(".", cut)[0] for name in named for cut in range(name.count(".") + 1)}

    def unnamed(field: str) -> bool:
        return not any(field == name or field.endswith("." + name) for name in covered)

    return InvalidArgument([*found, *(v for v in broken if unnamed(v.field))])
