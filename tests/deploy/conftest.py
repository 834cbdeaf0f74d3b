"""Fixtures of the deployment checks."""

from __future__ import annotations

import pytest
from deploy_manifests import OVERLAYS, Manifest, render


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[Manifest]]:
    """Every overlay, rendered once per session."""
    return {overlay: render(overlay) for overlay in OVERLAYS}
