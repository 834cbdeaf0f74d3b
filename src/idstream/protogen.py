"""Generate the Python code of ``protos/`` with grpcio-tools (``make proto``).

The output goes to ``src/idstream/v1/`` (git-ignored) as one importable
module, ``idstream.v1``, shared by every service. Generation is reproducible:
the same protos and grpcio-tools version give the same files.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["generate"]

ROOT = Path(__file__).resolve().parents[2]


def generate(proto_root: Path = ROOT / "protos", out: Path = ROOT / "src") -> list[Path]:
    """Compile every ``.proto`` under ``proto_root/idstream/v1`` into ``out``.

    Returns:
        the generated files.
    """
    import grpc_tools
    from grpc_tools import protoc

    protos = sorted(str(p.relative_to(proto_root)) for p in (proto_root / "idstream" / "v1").glob("*.proto"))
    if not protos:
        raise SystemExit(f"protogen: no .proto files under {proto_root}")
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    args = [
        "grpc_tools.protoc",
        f"-I{proto_root}",
        f"-I{well_known}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protogen: protoc failed")
    pkg = out / "idstream" / "v1"
    (pkg / "__init__.py").write_text(
        '"""Generated from protos/idstream/v1 by idstream.protogen; do not edit."""\n'
    )
    return sorted(pkg.glob("*.py*"))


if __name__ == "__main__":
    for path in generate():
        print(path.relative_to(ROOT), file=sys.stderr)
