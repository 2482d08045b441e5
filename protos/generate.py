"""Generate the Python stubs from ``foleyline/v1/foley.proto``, reproducibly.

    python -m foleyline.protos.generate          # rewrite protos/v1/*
    python -m foleyline.protos.generate --check  # exit 1 when the stubs drift from the .proto

protoc names the generated modules after the proto package (``foleyline.v1``); they are
installed as ``foleyline.protos.v1``, so the one cross-module import protoc writes is rewritten.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

PROTO_ROOT = Path(__file__).resolve().parent
PROTO_FILE = "foleyline/v1/foley.proto"
OUT_DIR = PROTO_ROOT / "v1"
GENERATED = ("foley_pb2.py", "foley_pb2.pyi", "foley_pb2_grpc.py")


def generated_sources() -> dict[str, str]:
    """Run protoc (from grpcio-tools) and return {file name: text} for the stubs."""
    from grpc_tools import protoc  # dev dependency: only needed to (re)generate

    with tempfile.TemporaryDirectory() as tmp:
        include = Path(protoc.__file__).resolve().parent / "_proto"
        code = protoc.main([
            "grpc_tools.protoc",
            f"-I{PROTO_ROOT}",
            f"-I{include}",
            f"--python_out={tmp}",
            f"--pyi_out={tmp}",
            f"--grpc_python_out={tmp}",
            str(PROTO_ROOT / PROTO_FILE),
        ])
        if code != 0:
            raise RuntimeError(f"protoc failed with exit code {code} on {PROTO_FILE}")
        out = Path(tmp) / "foleyline" / "v1"
        texts = {name: (out / name).read_text() for name in GENERATED}
    texts["foley_pb2_grpc.py"] = texts["foley_pb2_grpc.py"].replace(
        "from foleyline.v1 import foley_pb2", "from foleyline.protos.v1 import foley_pb2"
    )
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    texts = generated_sources()
    if args.check:
        stale = [n for n, t in texts.items() if not (OUT_DIR / n).exists() or (OUT_DIR / n).read_text() != t]
        if stale:
            print(f"stubs drift from {PROTO_FILE}: {', '.join(stale)}; run python -m foleyline.protos.generate")
            return 1
        return 0
    for name, text in texts.items():
        (OUT_DIR / name).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
