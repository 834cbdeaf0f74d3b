"""The hostile-input corpus, generated once per session into a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_corpus import Case, build_corpus, write_corpus


@pytest.fixture(scope="session")
def corpus() -> tuple[Case, ...]:
    return build_corpus()


@pytest.fixture(scope="session")
def corpus_dir(corpus: tuple[Case, ...], tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("hostile-corpus")
    write_corpus(corpus, directory)
    return directory
