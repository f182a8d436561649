"""Regenerate the Python code and descriptor set of the API from `proto/`.

    python scripts/gen_protos.py          # rewrite src/experiment_service/api/ and
                                          # gateway/openapi.json
    python scripts/gen_protos.py --check  # fail (exit 1) when either is stale

Everything under `src/experiment_service/api/`, and `gateway/openapi.json`, is generated from
proto/: never edit them by hand.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import sys
import tempfile
from pathlib import Path

import grpc_tools
from google.protobuf import descriptor_pb2
from grpc_tools import protoc

from experiment_service.rest import openapi

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "proto"
GOOGLEAPIS = ROOT / "third_party" / "googleapis"
GENERATED_PACKAGE = Path("experiment_service") / "api"
OUTPUT_ROOT = ROOT / "src"
# Envoy's transcoder reads this file; it carries every imported descriptor, and the error
# detail types so that it can render them.
DESCRIPTOR_SET = GENERATED_PACKAGE / "descriptor_set.pb"
ERROR_DETAIL_PROTOS = ["google/rpc/error_details.proto", "google/rpc/status.proto"]
OPENAPI = ROOT / "gateway" / "openapi.json"


def generate(out_root: Path) -> None:
    proto_files = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto"))
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    includes = [f"-I{PROTO_ROOT}", f"-I{GOOGLEAPIS}", f"-I{well_known}"]
    (out_root / GENERATED_PACKAGE).mkdir(parents=True, exist_ok=True)
    # mypy-protobuf types the gRPC stubs and servicers (`*_pb2_grpc.pyi`), which grpc_tools
    # leaves untyped; the plugin is installed beside this interpreter.
    mypy_grpc = Path(sys.executable).parent / "protoc-gen-mypy_grpc"
    python = [
        f"--python_out={out_root}",
        f"--pyi_out={out_root}",
        f"--grpc_python_out={out_root}",
        f"--plugin=protoc-gen-mypy_grpc={mypy_grpc}",
        "--mypy_grpc_opt=quiet",
        f"--mypy_grpc_out={out_root}",
    ]
    descriptors = [
        "--include_imports",
        "--include_source_info",
        f"--descriptor_set_out={out_root / DESCRIPTOR_SET}",
    ]
    for outputs, files in ((python, proto_files), (descriptors, proto_files + ERROR_DETAIL_PROTOS)):
        if protoc.main(["grpc_tools.protoc", *includes, *outputs, *files]) != 0:
            raise SystemExit("protoc failed")
    for directory in [out_root / GENERATED_PACKAGE, *(out_root / GENERATED_PACKAGE).rglob("*")]:
        if directory.is_dir() and directory.name != "__pycache__":
            init = directory / "__init__.py"
            if not init.exists():
                init.write_text('"""Generated from proto/ by scripts/gen_protos.py."""\n')


def openapi_json(descriptor_set: Path) -> str:
    """Every service defined in proto/ is served over REST, so the document covers them all."""
    raw = descriptor_set.read_bytes()
    ours = {str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto")}
    services = [
        f"{file.package}.{service.name}"
        for file in descriptor_pb2.FileDescriptorSet.FromString(raw).file
        if file.name in ours
        for service in file.service
    ]
    document = openapi.generate(raw, services)
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def stale_files(fresh: Path, committed: Path) -> list[str]:
    def listing(root: Path) -> set[str]:
        return {
            str(p.relative_to(root))
            for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }

    fresh_files, committed_files = listing(fresh), listing(committed)
    differing = [
        name
        for name in fresh_files & committed_files
        if not filecmp.cmp(fresh / name, committed / name, shallow=False)
    ]
    return sorted((fresh_files ^ committed_files) | set(differing))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale generated files")
    check = parser.parse_args().check
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp))
        fresh, committed = Path(tmp) / GENERATED_PACKAGE, OUTPUT_ROOT / GENERATED_PACKAGE
        document = openapi_json(Path(tmp) / DESCRIPTOR_SET)
        if check:
            stale = stale_files(fresh, committed) if committed.exists() else ["(everything)"]
            if not OPENAPI.exists() or OPENAPI.read_text() != document:
                stale.append(str(OPENAPI.relative_to(ROOT)))
            if stale:
                print("Generated code is stale; run `make protos`. Differs:", *stale, sep="\n  ")
                return 1
            print("Generated code is up to date.")
            return 0
        shutil.rmtree(committed, ignore_errors=True)
        shutil.copytree(fresh, committed)
        OPENAPI.write_text(document)
    print(f"Generated {committed.relative_to(ROOT)} and {OPENAPI.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
