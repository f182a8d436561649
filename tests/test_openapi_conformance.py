"""The served OpenAPI document against the service, fuzzed by schemathesis (a real client of
the document, as API tools and generated clients are).

A short, seeded run of the checks the document and the service already agree on, for every
operation of both dialects: no server errors, documented codes, content types and bodies,
schema-valid requests accepted, the documented Allow header on 405s, auth that is not ignored,
deleted resources that stay deleted, created ones that can be read. Every check (`--checks
all`, with the repository's schemathesis.toml) runs by hand with `make conformance`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECKS_THAT_HOLD = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "missing_required_header",
    "response_headers_conformance",
)
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def test_schemathesis_finds_no_disagreement_in_the_checks_that_hold(
    rest_base: str, api_key: str
) -> None:
    done = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{rest_base}/openapi.json",
            "--checks",
            ",".join(CHECKS_THAT_HOLD),
            "--header",
            f"Authorization: Bearer {api_key}",
            "--max-examples",
            "5",
            "--seed",
            "1",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "generated" in done.stdout and "passed" in done.stdout
