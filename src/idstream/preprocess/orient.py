"""Quarter-turn orientation of a document from text-direction cues.

Two questions, answered separately:

* horizontal or vertical text lines (0/180 versus 90/270 degrees): the sharpness
  of the projection profiles along rows and columns (:func:`~idstream.preprocess.skew.text_axis`);
  a rectified card is landscape, so this is only needed when no card edge was found;
* upright or upside down (0 versus 180): a linear classifier on the coarse layout of
  the document (:func:`layout_features`: where the ink, the dark blocks and the text
  are on a 24 x 16 grid), fitted on generated documents by
  :mod:`idstream.preprocess.train` and shipped in ``idstream/models/preprocess.json``.
  It is antisymmetric by construction: it compares the image with its 180-degree
  turn, so exactly one of the two poses wins. Without the model file,
  :func:`upright_score` measures the vertical asymmetry of the text lines instead
  (in Latin print the ink above the x-height band outweighs the ink below the baseline).

Rotations are clockwise, in degrees, and are what must be *applied* to the image
to make it upright.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from idstream.preprocess._arrays import ImageArray, as_image
from idstream.preprocess.skew import text_axis, text_mask

__all__ = [
    "ANALYSIS_WIDTH",
    "GRID",
    "fit_orientation",
    "flip_features",
    "layout_features",
    "orientation_weights",
    "quarter_turn",
    "rotate_quarter",
    "upright_score",
]

#: Width of the copy the text cues are measured on.
ANALYSIS_WIDTH = 640
#: Layout grid ``(columns, rows)`` of the orientation features.
GRID = (24, 16)


def rotate_quarter(image: ImageArray, rotation: int) -> ImageArray:
    """Rotate ``image`` clockwise by ``rotation`` (0, 90, 180 or 270) degrees.

    Raises:
        ValueError: ``rotation`` is not a multiple of 90.
    """
    rotation %= 360
    if rotation == 0:
        return image
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    if rotation not in codes:
        raise ValueError(f"rotation must be a multiple of 90 degrees, got {rotation}")
    return as_image(cv2.rotate(image, codes[rotation]))


def _analysis_grey(image: ImageArray, width: int = ANALYSIS_WIDTH) -> ImageArray:
    grey = image if image.ndim == 2 else as_image(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    if grey.shape[1] > width:
        height = max(1, round(grey.shape[0] * width / grey.shape[1]))
        grey = as_image(cv2.resize(grey, (width, height), interpolation=cv2.INTER_AREA))
    return grey


def upright_score(image: ImageArray) -> float:
    """Evidence that the (horizontal) text of ``image`` is upright rather than upside down.

    Args:
        image: BGR or grey ``uint8`` image with horizontal text lines.

    Returns:
        A score in [-1, 1]: positive means upright, negative upside down, about 0 undecided.
    """
    grey = _analysis_grey(image)
    mask = text_mask(grey, stroke_px=7)
    lines = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 1)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    total_weight = 0.0
    total = 0.0
    for i in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[i])
        if h < 6 or h > 60 or w < 3 * h:
            continue
        profile = (mask[y : y + h, x : x + w] > 0).sum(axis=1).astype(np.float64)
        peak = profile.max()
        if peak <= 0:
            continue
        core = np.nonzero(profile >= 0.5 * peak)[0]
        top, bottom = int(core[0]), int(core[-1])
        above = float(profile[:top].sum())
        below = float(profile[bottom + 1 :].sum())
        ink = float(profile.sum())
        weight = float(w)
        total += weight * (above - below) / max(ink, 1.0)
        total_weight += weight
    if total_weight == 0:
        return 0.0
    return float(np.clip(total / total_weight * 4.0, -1.0, 1.0))


def layout_features(image: ImageArray) -> NDArray[np.float64]:
    """Coarse layout of a document image: grey level and text-stroke density on a :data:`GRID`.

    Each map is standardized (zero mean, unit deviation) so that lighting and contrast do not
    matter. Returns a ``(2 * rows * cols,)`` vector, maps flattened row by row.
    """
    grey = _analysis_grey(image, 512)
    cols, rows = GRID
    maps = [
        cv2.resize(grey, (cols, rows), interpolation=cv2.INTER_AREA).astype(np.float64),
        cv2.resize(text_mask(grey, stroke_px=7), (cols, rows), interpolation=cv2.INTER_AREA).astype(
            np.float64
        ),
    ]
    out = [(m - m.mean()) / (m.std() + 1e-6) for m in maps]
    return np.concatenate([m.ravel() for m in out])


def flip_features(features: NDArray[np.float64]) -> NDArray[np.float64]:
    """The :func:`layout_features` of the same image turned by 180 degrees (rows of vectors too)."""
    cols, rows = GRID
    shaped = features.reshape(*features.shape[:-1], 2, rows, cols)
    return np.asarray(shaped[..., ::-1, ::-1].reshape(features.shape), dtype=np.float64)


def fit_orientation(
    upright: NDArray[np.float64], *, l2: float = 1.0, steps: int = 400
) -> NDArray[np.float64]:
    """Fit antisymmetric logistic-regression weights ``w``: upright when ``w . (x - flip(x)) > 0``.

    Args:
        upright: ``(N, F)`` features of upright documents.
        l2: ridge penalty.
        steps: Newton iterations at most.
    """
    d = upright - flip_features(upright)
    weights = np.zeros(d.shape[1])
    for _ in range(steps):
        margin = d @ weights
        p = 1.0 / (1.0 + np.exp(-margin))
        grad = -(1.0 - p) @ d + l2 * weights
        hessian = (d * (p * (1.0 - p))[:, None]).T @ d + l2 * np.eye(d.shape[1])
        step = np.linalg.solve(hessian, grad)
        weights -= step
        if float(np.abs(step).max()) < 1e-6:
            break
    return weights


@lru_cache(maxsize=1)
def orientation_weights() -> NDArray[np.float64] | None:
    """The shipped orientation weights, or ``None`` when the model file is absent."""
    path = Path(str(resources.files("idstream") / "models" / "preprocess.json"))
    try:
        weights = json.loads(path.read_text())["orientation"]["weights"]
    except (OSError, KeyError, ValueError):
        return None
    array = np.asarray(weights, dtype=np.float64)
    cols, rows = GRID
    return array if array.shape == (2 * rows * cols,) else None


def _upright_evidence(image: ImageArray) -> float:
    """Positive when ``image`` looks upright rather than upside down (model, else text cue)."""
    weights = orientation_weights()
    if weights is None:
        return upright_score(image)
    features = layout_features(image)
    return float((features - flip_features(features)) @ weights)


def quarter_turn(image: ImageArray, *, landscape_only: bool = False) -> tuple[int, float]:
    """The clockwise quarter turn that makes the text of ``image`` upright.

    Args:
        image: BGR or grey ``uint8`` image.
        landscape_only: only decide between 0 and 180 (the text is known to be horizontal,
            e.g. a rectified card).

    Returns:
        ``(rotation, confidence)``, rotation in {0, 90, 180, 270}, confidence in [0, 1].
    """
    base = 0
    if not landscape_only:
        axis, _ = text_axis(_analysis_grey(image))
        if axis == "vertical":
            base = 90
    turned = rotate_quarter(image, base)
    score = _upright_evidence(turned)
    if score < 0:
        return (base + 180) % 360, min(1.0, -score)
    return base, min(1.0, score)
