"""Find the document in a photo: its four corners, robust to clutter and rounded corners.

The search runs on a copy shrunk to at most :data:`ANALYSIS_SIZE` pixels (long side):

1. an edge map: Canny on the gradient of whichever Lab channel changes most at each
   pixel (so that a white card on a white table still shows its colour edge), with
   each edge pixel's gradient orientation;
2. straight lines: the strongest distinct lines of the Hough transform;
3. candidates: every two pairs of roughly parallel lines that cross at roughly right
   angles bound a quadrilateral;
4. scoring: the share of each side covered by edge pixels whose gradient is
   perpendicular to that side (a card lying on top of the clutter shows all four of
   its edges in full, while the clutter it covers does not), times mild priors on
   shape and size;
5. refinement: a line is fitted to the edge pixels along each side of the best
   candidate and the corners are where those lines meet, which ignores rounded
   corners and is sub-pixel accurate.

The result is in input-image pixels, clockwise from the top-left corner *of
the image* (which of its corners is the card's own top-left is decided by
:mod:`idstream.preprocess.orient`).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from idstream.document import Quad
from idstream.errors import ModelError
from idstream.preprocess._arrays import FloatArray, ImageArray, as_image

__all__ = [
    "ANALYSIS_SIZE",
    "FEATURE_NAMES",
    "MIN_AREA_FRACTION",
    "MIN_SIDE_SUPPORT",
    "downscale",
    "find_card_quad",
    "order_clockwise",
    "quad_features",
    "quad_to_array",
    "ranker_weights",
    "shrink_by",
]

#: Long side, in pixels, of the image the search runs on (at most; shrunk by an integer factor).
ANALYSIS_SIZE = 640
#: Smallest document, as a fraction of the image area.
MIN_AREA_FRACTION = 0.03
#: Largest document, as a fraction of the image area.
MAX_AREA_FRACTION = 0.995
#: The chosen candidate's weakest side must have at least this mean edge strength (0-1), else
#: no document edge is reported and the whole image is used.
MIN_SIDE_SUPPORT = 0.2
#: Accepted long-over-short side ratio of the quadrilateral as seen (perspective included).
MIN_ASPECT, MAX_ASPECT = 1.05, 2.6
#: Distinct lines considered, at most (the longest edge runs).
MAX_LINES = 70
#: Hough lines (most votes first) examined for their edge runs.
HOUGH_CANDIDATES = 600
#: Sampling step along a line (px), largest gap bridged in a run (samples), edge level of a run (0-255).
RUN_STEP, RUN_GAP, RUN_LEVEL = 2.0, 5, 90
#: Lines closer than this (degrees, and pixels at the middle of the run) are the same edge.
DUPLICATE_DEG, DUPLICATE_PX = 6.0, 8.0
#: How far beyond its edge run (share of the run's length) a corner may lie.
RUN_SLACK = 0.2
#: Weight of the edge coverage found beyond a side's ends.
EXTENSION_PENALTY = 0.6
#: Largest angle between the two "parallel" sides of a candidate, degrees (perspective).
MAX_PAIR_ANGLE = 25.0
#: Orientation bins of the edge map (over 180 degrees).
ORIENTATION_BINS = 12
#: Canny thresholds on the (channel-weighted) Sobel magnitude, for line finding.
CANNY_LOW, CANNY_HIGH = 15, 45
#: Change across a side (weighted Sobel units) that counts as a full edge when scoring.
EDGE_STRENGTH = 60.0
#: Edge curves shorter than this share of the short side are ignored when finding lines.
MIN_EDGE_EXTENT = 0.06
#: Samples per side when scoring.
SIDE_SAMPLES = 48


def downscale(image: ImageArray, long_side: int) -> tuple[ImageArray, float]:
    """Shrink ``image`` by an integer factor so that its long side is at most ``long_side``.

    Box averaging (``INTER_AREA``) by an integer factor takes OpenCV's fast path (about
    10 ms for a 12-megapixel photo on one core, against 35 ms for an arbitrary factor);
    the image is cropped by less than the factor on the right and bottom to allow it.

    Returns:
        The (possibly unchanged) image and the scale factor applied (``1 / k``).
    """
    height, width = image.shape[:2]
    factor = math.ceil(max(height, width) / long_side)
    if factor <= 1:
        return image, 1.0
    return shrink_by(image, factor), 1.0 / factor


def shrink_by(image: ImageArray, factor: int) -> ImageArray:
    """Box-average ``image`` by the integer ``factor`` (pixel ``i`` covers ``[k*i, k*i + k)``).

    A pixel centre ``x`` of the result sits at ``k * x + (k - 1) / 2`` in the input.
    """
    if factor <= 1:
        return image
    height, width = image.shape[:2]
    out_w, out_h = max(1, width // factor), max(1, height // factor)
    view = image[: out_h * factor, : out_w * factor]
    return as_image(cv2.resize(view, (out_w, out_h), interpolation=cv2.INTER_AREA))


def order_clockwise(points: NDArray[np.floating]) -> FloatArray:
    """Order four points clockwise on screen (y down), starting from the top-left one."""
    pts = np.asarray(points, dtype=np.float64).reshape(4, 2)
    center = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - center[1], pts[:, 0] - center[0])
    pts = pts[np.argsort(angles)]
    start = int(np.argmin(pts[:, 0] + pts[:, 1]))
    return np.roll(pts, -start, axis=0)


def quad_to_array(quad: Quad) -> FloatArray:
    """A :data:`Quad` as a ``(4, 2)`` float array."""
    return np.asarray(quad, dtype=np.float64).reshape(4, 2)


def find_card_quad(image: ImageArray, *, analysis_size: int = ANALYSIS_SIZE) -> Quad | None:
    """Find the document's corners in ``image``.

    Args:
        image: BGR ``uint8`` photo or scan.
        analysis_size: the long side of the shrunk copy the search runs on is at most this.

    Returns:
        The four corners in input pixels, clockwise from the image-top-left one, or ``None``
        when no convincing document edge is found.
    """
    small, scale = downscale(image, analysis_size)
    if small.ndim == 2:
        small = as_image(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
    found = _best_quad(small)
    if found is None:
        return None
    # Pixel centre x of the shrunk image sits at (x + 0.5) / scale - 0.5 in the input.
    pts = order_clockwise((found + 0.5) / scale - 0.5)
    return (
        (float(pts[0, 0]), float(pts[0, 1])),
        (float(pts[1, 0]), float(pts[1, 1])),
        (float(pts[2, 0]), float(pts[2, 1])),
        (float(pts[3, 0]), float(pts[3, 1])),
    )


class _EdgeField:
    """Edges of an image: a thin edge map for line finding, and, per direction, how strongly
    the image changes across that direction (for scoring candidate sides)."""

    def __init__(self, small: ImageArray) -> None:
        lab = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2LAB), (5, 5), 0)
        best = np.zeros(lab.shape[:2], dtype=np.float32)
        gx = np.zeros_like(best)
        gy = np.zeros_like(best)
        for channel, weight in ((0, 1.0), (1, 2.0), (2, 2.0)):
            dx = cv2.Sobel(lab[:, :, channel], cv2.CV_32F, 1, 0, ksize=3) * weight
            dy = cv2.Sobel(lab[:, :, channel], cv2.CV_32F, 0, 1, ksize=3) * weight
            magnitude = cv2.magnitude(dx, dy)
            stronger = magnitude > best
            best = np.where(stronger, magnitude, best)
            gx = np.where(stronger, dx, gx)
            gy = np.where(stronger, dy, gy)
        self.edges = as_image(
            cv2.Canny(
                np.clip(gx, -32767, 32767).astype(np.int16),
                np.clip(gy, -32767, 32767).astype(np.int16),
                CANNY_LOW,
                CANNY_HIGH,
                L2gradient=True,
            )
        )
        self.angle = (np.arctan2(gy, gx) % np.pi).astype(np.float32)  # gradient orientation, [0, pi)
        kernel = np.ones((5, 5), np.uint8)
        maps = []
        for b in range(ORIENTATION_BINS):
            phi = (b + 0.5) * np.pi / ORIENTATION_BINS
            across = np.abs(gx * np.float32(math.cos(phi)) + gy * np.float32(math.sin(phi)))
            level = np.minimum(across * np.float32(255.0 / EDGE_STRENGTH), 255).astype(np.uint8)
            maps.append(cv2.dilate(level, kernel))
        # oriented[b]: change across direction b (0-255 for 0..EDGE_STRENGTH), max over 5x5.
        self.oriented = np.stack(maps)


def _best_quad(small: ImageArray) -> FloatArray | None:
    height, width = small.shape[:2]
    field = _EdgeField(small)
    lines = _distinct_lines(_long_edges(field.edges, min(height, width)), field, min(height, width))
    if len(lines) < 4:
        return None
    quads = _candidate_quads(lines, width, height)
    if len(quads) == 0:
        return None
    scores = _score_quads(quads, field, width, height)
    best = int(np.argmax(scores))
    if not np.isfinite(scores[best]) or _edge_support(quads[best], field) < MIN_SIDE_SUPPORT:
        return None
    chosen = quads[best]
    return _refine(chosen, field)


def _long_edges(edges: ImageArray, short_side: int) -> ImageArray:
    """Keep the edge curves at least :data:`MIN_EDGE_EXTENT` of the short side long (drops text)."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(edges, connectivity=8)
    extent = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    keep = extent >= MIN_EDGE_EXTENT * short_side
    keep[0] = False
    return as_image(np.where(keep[labels], 255, 0).astype(np.uint8))


def _distinct_lines(edges: ImageArray, field: _EdgeField, short_side: int) -> FloatArray:
    """The straight edges of the image as lines with the extent of their longest edge run.

    Hough lines are ranked by the length of their longest continuous run of edge strength
    (gaps of a few pixels bridged) rather than by votes, so that a card's short side is not
    outranked by long background lines or by rows of text.

    Returns:
        ``(N, 4)`` rows ``(rho, theta, t0, t1)``: the line ``x cos(theta) + y sin(theta) = rho``
        and its run from ``t0`` to ``t1`` along the direction ``(-sin(theta), cos(theta))``
        from the foot point ``rho * (cos(theta), sin(theta))``.
    """
    height, width = edges.shape
    threshold = max(20, int(0.05 * short_side))
    found = cv2.HoughLines(edges, 1, np.pi / 360, threshold)
    if found is None:
        return np.zeros((0, 4))
    raw = found.reshape(-1, 2)[:HOUGH_CANDIDATES].astype(np.float64)
    rho, theta = raw[:, 0], raw[:, 1]
    half = math.hypot(width, height) / 2.0
    foot_x, foot_y = rho * np.cos(theta), rho * np.sin(theta)
    # Sample each line across the whole image: around the projection of the image centre.
    centre_t = (width / 2.0 - foot_x) * -np.sin(theta) + (height / 2.0 - foot_y) * np.cos(theta)
    t = centre_t[:, None] + np.arange(-half, half, RUN_STEP)[None, :]  # (R, S)
    xs = foot_x[:, None] - t * np.sin(theta)[:, None]
    ys = foot_y[:, None] + t * np.cos(theta)[:, None]
    inside = (xs >= 0) & (xs <= width - 1) & (ys >= 0) & (ys <= height - 1)
    xi = np.clip(np.rint(xs), 0, width - 1).astype(np.int64)
    yi = np.clip(np.rint(ys), 0, height - 1).astype(np.int64)
    bins = np.minimum((theta / np.pi * ORIENTATION_BINS).astype(np.int64), ORIENTATION_BINS - 1)
    on = (field.oriented[np.broadcast_to(bins[:, None], xi.shape), yi, xi] >= RUN_LEVEL) & inside
    runs = np.array([_longest_run(row) for row in on])  # (R, 2) sample indices, -1 when none
    lengths = (runs[:, 1] - runs[:, 0]) * RUN_STEP
    order = np.argsort(-lengths, kind="stable")
    kept: list[tuple[float, float, float, float]] = []
    for index in order:
        if lengths[index] < MIN_EDGE_EXTENT * short_side:
            break
        r, th = float(rho[index]), float(theta[index])
        t0, t1 = float(t[index, runs[index, 0]]), float(t[index, runs[index, 1]])
        middle = (t0 + t1) / 2.0
        mx, my = r * math.cos(th) - middle * math.sin(th), r * math.sin(th) + middle * math.cos(th)
        duplicate = False
        for r2, th2, _, _ in kept:
            dt = abs(th - th2)
            if min(dt, math.pi - dt) < math.radians(DUPLICATE_DEG) and (
                abs(mx * math.cos(th2) + my * math.sin(th2) - r2) < DUPLICATE_PX
            ):
                duplicate = True
                break
        if duplicate:
            continue
        kept.append((r, th, t0, t1))
        if len(kept) >= MAX_LINES:
            break
    return np.array(kept, dtype=np.float64).reshape(-1, 4)


def _longest_run(row: NDArray[np.bool_]) -> tuple[int, int]:
    """Start and end sample of the longest run of ``True`` (gaps up to :data:`RUN_GAP` bridged)."""
    hits = np.flatnonzero(row)
    if len(hits) == 0:
        return -1, -1
    breaks = np.flatnonzero(np.diff(hits) > RUN_GAP)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(hits) - 1]])
    best = int(np.argmax(hits[ends] - hits[starts]))
    return int(hits[starts[best]]), int(hits[ends[best]])


def _candidate_quads(lines: FloatArray, width: int, height: int) -> FloatArray:
    """Quadrilaterals bounded by two pairs of near-parallel lines crossing near right angles.

    Each corner must lie near the edge runs of both its lines, which keeps the candidates
    to quadrilaterals whose sides are actually seen.
    """
    theta = lines[:, 1]
    normals = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    offsets = normals @ np.array([width / 2.0, height / 2.0]) - lines[:, 0]  # signed centre distance
    i, j = np.triu_indices(len(lines), k=1)
    dots = np.einsum("pd,pd->p", normals[i], normals[j])
    sign = np.where(dots > 0, 1.0, -1.0)
    keep = (np.abs(dots) >= math.cos(math.radians(MAX_PAIR_ANGLE))) & (
        np.abs(offsets[i] - sign * offsets[j]) >= 0.08 * min(width, height)
    )
    i, j, sign = i[keep], j[keep], sign[keep]
    if len(i) < 2:
        return np.zeros((0, 4, 2))
    mean = normals[i] + sign[:, None] * normals[j]
    direction = np.arctan2(mean[:, 1], mean[:, 0]) % np.pi
    a, b = np.triu_indices(len(i), k=1)
    diff = np.abs(direction[a] - direction[b]) % np.pi
    diff = np.minimum(diff, np.pi - diff)
    distinct = (i[a] != i[b]) & (i[a] != j[b]) & (j[a] != i[b]) & (j[a] != j[b])
    keep = distinct & (diff >= math.radians(50))
    a, b = a[keep], b[keep]
    if len(a) == 0:
        return np.zeros((0, 4, 2))
    l1, l2, l3, l4 = i[a], j[a], i[b], j[b]  # l1 || l2, l3 || l4
    corner_lines = [(l1, l3), (l3, l2), (l2, l4), (l4, l1)]
    corners = np.stack([_cross_many(lines[p], lines[q]) for p, q in corner_lines], axis=1)  # (Q, 4, 2)
    finite = np.all(np.isfinite(corners), axis=(1, 2))
    corners = np.where(finite[:, None, None], corners, -1e9)
    margin = 0.03 * max(width, height)
    ok = finite & (
        (corners[..., 0].min(axis=1) >= -margin)
        & (corners[..., 1].min(axis=1) >= -margin)
        & (corners[..., 0].max(axis=1) <= width + margin)
        & (corners[..., 1].max(axis=1) <= height + margin)
    )
    for k, (p, q) in enumerate(corner_lines):
        ok &= _near_run(lines[p], corners[:, k]) & _near_run(lines[q], corners[:, k])
    corners = corners[ok]
    if len(corners) == 0:
        return np.zeros((0, 4, 2))
    return _order_many(corners)


def _near_run(lines: FloatArray, points: FloatArray) -> NDArray[np.bool_]:
    """Whether each point lies along its line within (a margin of) the line's edge run."""
    rho, theta, t0, t1 = lines[:, 0], lines[:, 1], lines[:, 2], lines[:, 3]
    along = (points[:, 0] - rho * np.cos(theta)) * -np.sin(theta) + (
        points[:, 1] - rho * np.sin(theta)
    ) * np.cos(theta)
    slack = RUN_SLACK * (t1 - t0) + 10.0
    return np.asarray((along >= t0 - slack) & (along <= t1 + slack), dtype=np.bool_)


def _cross_many(first: FloatArray, second: FloatArray) -> FloatArray:
    """Intersections of lines ``(rho, theta)`` row by row (``nan`` for parallel lines)."""
    r1, t1, r2, t2 = first[:, 0], first[:, 1], second[:, 0], second[:, 1]
    det = np.cos(t1) * np.sin(t2) - np.sin(t1) * np.cos(t2)
    with np.errstate(divide="ignore", invalid="ignore"):
        det = np.where(np.abs(det) < 1e-6, np.nan, det)
        x = (r1 * np.sin(t2) - r2 * np.sin(t1)) / det
        y = (r2 * np.cos(t1) - r1 * np.cos(t2)) / det
    return np.stack([x, y], axis=1)


def _order_many(quads: FloatArray) -> FloatArray:
    """:func:`order_clockwise` for a stack of quadrilaterals."""
    centres = quads.mean(axis=1, keepdims=True)
    angles = np.arctan2(quads[..., 1] - centres[..., 1], quads[..., 0] - centres[..., 0])
    order = np.argsort(angles, axis=1)
    ordered = np.take_along_axis(quads, order[..., None], axis=1)
    start = np.argmin(ordered[..., 0] + ordered[..., 1], axis=1)
    index = (start[:, None] + np.arange(4)[None, :]) % 4
    return np.take_along_axis(ordered, index[..., None], axis=1)


def _area(quad: FloatArray) -> float:
    x, y = quad[:, 0], quad[:, 1]
    return 0.5 * abs(float(x @ np.roll(y, -1) - y @ np.roll(x, -1)))


def _areas(quads: FloatArray) -> FloatArray:
    x, y = quads[..., 0], quads[..., 1]
    return np.asarray(
        0.5 * np.abs(np.sum(x * np.roll(y, -1, axis=1) - y * np.roll(x, -1, axis=1), axis=1)),
        dtype=np.float64,
    )


def _coverage(
    field: _EdgeField, starts: FloatArray, sides: FloatArray, bins: NDArray[np.int64], t: FloatArray
) -> FloatArray:
    """Mean edge strength across each side at the points ``start + t * side`` (0 outside the image)."""
    height, width = field.edges.shape
    xs = starts[..., 0, None] + t * sides[..., 0, None]  # (Q, 4, S)
    ys = starts[..., 1, None] + t * sides[..., 1, None]
    inside = (xs >= 0) & (xs <= width - 1) & (ys >= 0) & (ys <= height - 1)
    xi = np.clip(np.rint(xs), 0, width - 1).astype(np.int64)
    yi = np.clip(np.rint(ys), 0, height - 1).astype(np.int64)
    strength = field.oriented[np.broadcast_to(bins[..., None], xi.shape), yi, xi].astype(np.float64) / 255.0
    return np.asarray((strength * inside).mean(axis=2), dtype=np.float64)


#: Names of the features :func:`quad_features` computes for each candidate.
FEATURE_NAMES: tuple[str, ...] = (
    "side_min",
    "side_2",
    "side_3",
    "side_max",
    "extension_max",
    "extension_2",
    "extension_mean",
    "outside_parallel_max",
    "outside_parallel_mean",
    "inside_parallel_mean",
    "area",
    "aspect_deviation",
    "corner_deviation",
    "bias",
)

#: Ranking weights used when no trained ranker is shipped (hand-set: coverage minus extension).
DEFAULT_WEIGHTS: tuple[float, ...] = (
    3.0,
    1.0,
    1.0,
    1.0,
    -1.5,
    -0.5,
    0.0,
    -0.5,
    0.0,
    0.0,
    1.0,
    -1.0,
    -1.0,
    0.0,
)


def quad_features(
    quads: FloatArray, field: _EdgeField, width: int, height: int
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Features of candidate quadrilaterals for ranking, and which candidates are possible at all.

    Per side: the mean edge strength across it (coverage), beyond its ends (a card's edges stop
    at its corners; a background edge running along the card does not), and along lines just
    outside and inside it (an inner structure of the card, such as a header band or the photo,
    has the card's own edge just outside it).

    Returns:
        ``(Q, len(FEATURE_NAMES))`` features and a ``(Q,)`` validity mask (convex, corner angles
        40-140 degrees, plausible aspect ratio and size).
    """
    sides = np.roll(quads, -1, axis=1) - quads  # (Q, 4, 2)
    lengths = np.hypot(sides[..., 0], sides[..., 1])  # (Q, 4)
    normal_angle = (np.arctan2(sides[..., 1], sides[..., 0]) + np.pi / 2) % np.pi
    bins = np.minimum((normal_angle / np.pi * ORIENTATION_BINS).astype(np.int64), ORIENTATION_BINS - 1)
    coverage = _coverage(field, quads, sides, bins, np.linspace(0.03, 0.97, SIDE_SAMPLES))
    beyond = np.concatenate([np.linspace(-0.15, -0.04, 8), np.linspace(1.04, 1.15, 8)])
    extension = _coverage(field, quads, sides, bins, beyond)
    # Offsets along the outward normal, as a share of the mean side length of the quad.
    centre = quads.mean(axis=1, keepdims=True)
    midpoints = quads + sides / 2
    unit_normal = np.stack([-sides[..., 1], sides[..., 0]], axis=-1) / np.maximum(lengths, 1e-9)[..., None]
    outward = np.sign(np.einsum("qkd,qkd->qk", unit_normal, midpoints - centre))[..., None] * unit_normal
    scale = lengths.mean(axis=1)[:, None, None]
    t_mid = np.linspace(0.1, 0.9, SIDE_SAMPLES // 2)
    outside = np.max(
        [_coverage(field, quads + outward * scale * d, sides, bins, t_mid) for d in (0.03, 0.06, 0.09)],
        axis=0,
    )
    inside = np.max(
        [_coverage(field, quads - outward * scale * d, sides, bins, t_mid) for d in (0.03, 0.06, 0.09)],
        axis=0,
    )
    following = np.roll(sides, -1, axis=1)
    cross = sides[..., 0] * following[..., 1] - sides[..., 1] * following[..., 0]
    convex = np.all(cross > 0, axis=1) | np.all(cross < 0, axis=1)
    previous = -np.roll(sides, 1, axis=1)
    cos = np.einsum("qkd,qkd->qk", sides, previous) / np.maximum(lengths * np.roll(lengths, 1, axis=1), 1e-9)
    pair_a = (lengths[:, 0] + lengths[:, 2]) / 2
    pair_b = (lengths[:, 1] + lengths[:, 3]) / 2
    aspect = np.maximum(pair_a, pair_b) / np.maximum(np.minimum(pair_a, pair_b), 1e-9)
    areas = _areas(quads) / float(width * height)
    valid = convex & np.all(np.abs(cos) < math.cos(math.radians(40)), axis=1)
    valid &= (aspect >= MIN_ASPECT) & (aspect <= MAX_ASPECT)
    valid &= (areas >= MIN_AREA_FRACTION) & (areas <= MAX_AREA_FRACTION)
    side_sorted = np.sort(coverage, axis=1)
    ext_sorted = np.sort(extension, axis=1)[:, ::-1]
    features = np.column_stack(
        [
            side_sorted,
            ext_sorted[:, 0],
            ext_sorted[:, 1],
            extension.mean(axis=1),
            outside.max(axis=1),
            outside.mean(axis=1),
            inside.mean(axis=1),
            np.sqrt(np.clip(areas, 0, 1)),
            np.abs(np.log(aspect / 1.5)),
            np.degrees(np.arccos(np.clip(np.abs(cos), 0, 1))).min(axis=1) / -90.0 + 1.0,
            np.ones(len(quads)),
        ]
    )
    return np.asarray(features, dtype=np.float64), np.asarray(valid, dtype=np.bool_)


def _score_quads(quads: FloatArray, field: _EdgeField, width: int, height: int) -> FloatArray:
    """Ranking score of each candidate (higher is better); ``-inf`` for impossible ones."""
    features, valid = quad_features(quads, field, width, height)
    scores = features @ np.asarray(ranker_weights(), dtype=np.float64)
    return np.asarray(np.where(valid, scores, -np.inf), dtype=np.float64)


def _edge_support(quad: FloatArray, field: _EdgeField) -> float:
    """Mean edge strength along the weakest side of ``quad``."""
    features, _ = quad_features(quad[None], field, field.edges.shape[1], field.edges.shape[0])
    return float(features[0, 0])


@lru_cache(maxsize=1)
def ranker_weights() -> tuple[float, ...]:
    """Candidate-ranking weights: the shipped trained ranker, or :data:`DEFAULT_WEIGHTS`."""
    path = Path(str(resources.files("idstream") / "models" / "preprocess.json"))
    try:
        data = json.loads(path.read_text())
        names, weights = data["card_ranker"]["features"], data["card_ranker"]["weights"]
    except (OSError, KeyError, ValueError):
        return DEFAULT_WEIGHTS
    if tuple(names) != FEATURE_NAMES or len(weights) != len(FEATURE_NAMES):
        raise ModelError("models/preprocess.json: card ranker features do not match this version")
    return tuple(float(w) for w in weights)


def _refine(quad: FloatArray, field: _EdgeField) -> FloatArray:
    """Fit a line to the edge pixels along each side; corners are where the lines meet."""
    ys, xs = np.nonzero(field.edges)
    points = np.stack([xs, ys], axis=1).astype(np.float64)
    angles = field.angle[ys, xs].astype(np.float64)
    lines: list[tuple[FloatArray, FloatArray] | None] = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        side = b - a
        length = float(np.hypot(*side))
        if length < 8:
            lines.append(None)
            continue
        direction = side / length
        normal = np.array([-direction[1], direction[0]])
        rel = points - a
        along = rel @ direction / length
        across = np.abs(rel @ normal)
        normal_angle = math.atan2(normal[1], normal[0]) % math.pi
        turn = np.abs(angles - normal_angle)
        turn = np.minimum(turn, math.pi - turn)
        near = points[(along > 0.06) & (along < 0.94) & (across < 3.0) & (turn < math.radians(20))]
        if len(near) < 10:
            lines.append(None)
            continue
        vx, vy, x0, y0 = cv2.fitLine(near.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], dtype=np.float64), np.array([vx, vy], dtype=np.float64)))
    refined = quad.copy()
    for i in range(4):
        before, after = lines[(i - 1) % 4], lines[i]
        if before is None or after is None:
            continue
        corner = _intersect(before, after)
        if corner is not None and float(np.hypot(*(corner - quad[i]))) < 0.05 * _diagonal(quad):
            refined[i] = corner
    return refined


def _intersect(
    first: tuple[FloatArray, FloatArray], second: tuple[FloatArray, FloatArray]
) -> FloatArray | None:
    (p, r), (q, s) = first, second
    cross = r[0] * s[1] - r[1] * s[0]
    if abs(cross) < 1e-6:
        return None
    t = ((q[0] - p[0]) * s[1] - (q[1] - p[1]) * s[0]) / cross
    return np.asarray(p + t * r, dtype=np.float64)


def _diagonal(quad: FloatArray) -> float:
    return float(max(np.hypot(*(quad[2] - quad[0])), np.hypot(*(quad[3] - quad[1]))))
