"""Where ``make system`` installs the development stack's binaries.

``scripts/install-kafka.sh`` and ``scripts/install-versitygw.sh`` install into
``<repository>/.cache``. The paths are found from the repository this package is
checked out in (editable install), else from the current directory, and can be
overridden with ``IDSTREAM_KAFKA_LIBS`` and ``IDSTREAM_VERSITYGW``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir", "kafka_libs_dir", "versitygw_binary"]


def cache_dir() -> Path:
    """The ``.cache`` directory of the repository (or of the current directory).

    Returns:
        ``<repo>/.cache`` when this package lives in a checkout that has one, else
        ``./.cache`` (absolute).
    """
    repo = Path(__file__).resolve().parents[3]
    if (repo / ".cache").is_dir() and (repo / "scripts").is_dir():
        return repo / ".cache"
    return Path(".cache").absolute()


def kafka_libs_dir() -> Path:
    """The directory of the Kafka broker jars (``$IDSTREAM_KAFKA_LIBS`` overrides)."""
    override = os.environ.get("IDSTREAM_KAFKA_LIBS")
    return Path(override).absolute() if override else cache_dir() / "kafka" / "libs"


def versitygw_binary() -> Path:
    """The versitygw executable (``$IDSTREAM_VERSITYGW`` overrides)."""
    override = os.environ.get("IDSTREAM_VERSITYGW")
    return Path(override).absolute() if override else cache_dir() / "bin" / "versitygw"
