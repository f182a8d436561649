"""Regenerate the Python code and descriptor set of the API from `proto/`.

    python scripts/gen_protos.py          # rewrite src/experiment_service/api/
    python scripts/gen_protos.py --check  # fail (exit 1) when the committed code is stale

Everything under `src/experiment_service/api/` is generated: never edit it by hand.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

import grpc_tools
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "proto"
GOOGLEAPIS = ROOT / "third_party" / "googleapis"
GENERATED_PACKAGE = Path("experiment_service") / "api"
OUTPUT_ROOT = ROOT / "src"
# Envoy's transcoder reads this file; it carries every imported descriptor.
DESCRIPTOR_SET = GENERATED_PACKAGE / "descriptor_set.pb"


def generate(out_root: Path) -> None:
    proto_files = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto"))
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"-I{GOOGLEAPIS}",
        f"-I{well_known}",
        f"--python_out={out_root}",
        f"--pyi_out={out_root}",
        f"--grpc_python_out={out_root}",
        "--include_imports",
        f"--descriptor_set_out={out_root / DESCRIPTOR_SET}",
        *proto_files,
    ]
    (out_root / GENERATED_PACKAGE).mkdir(parents=True, exist_ok=True)
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    for directory in [out_root / GENERATED_PACKAGE, *(out_root / GENERATED_PACKAGE).rglob("*")]:
        if directory.is_dir() and directory.name != "__pycache__":
            init = directory / "__init__.py"
            if not init.exists():
                init.write_text('"""Generated from proto/ by scripts/gen_protos.py."""\n')


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
        if check:
            stale = stale_files(fresh, committed) if committed.exists() else ["(everything)"]
            if stale:
                print("Generated code is stale; run `make protos`. Differs:", *stale, sep="\n  ")
                return 1
            print("Generated code is up to date.")
            return 0
        shutil.rmtree(committed, ignore_errors=True)
        shutil.copytree(fresh, committed)
    print(f"Generated {committed.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
