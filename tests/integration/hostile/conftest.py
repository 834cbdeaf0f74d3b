"""Make the hostile-input corpus generator (``tests/hostile/hostile_corpus.py``) importable."""

from __future__ import annotations

import sys
from pathlib import Path

_CORPUS = str(Path(__file__).resolve().parents[2] / "hostile")
if _CORPUS not in sys.path:
    sys.path.insert(0, _CORPUS)
