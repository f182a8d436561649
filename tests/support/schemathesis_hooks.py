"""What the intake contract says and JSON Schema cannot, taught to schemathesis's generator
(schemathesis.toml loads this module): a session does not end before it starts. The document
says so in words; the server answers 422 to such a session, as the contract fixes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import schemathesis


@schemathesis.hook("map_body").apply_to(operation_id="IngestSessions")
def sessions_end_after_they_start(context: Any, body: Any) -> Any:
    sessions = body.get("sessions") if isinstance(body, dict) else None
    for session in sessions if isinstance(sessions, list) else []:
        if not isinstance(session, dict):
            continue
        started, ended = _moment(session.get("started_at")), _moment(session.get("ended_at"))
        if started is not None and ended is not None and ended < started:
            session["started_at"], session["ended_at"] = session["ended_at"], session["started_at"]
    return body


def _moment(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
