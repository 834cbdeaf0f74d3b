"""Find the document in a photo: its four corners, robust to clutter and rounded corners.

The search runs on a copy shrunk to at most :data:`ANALYSIS_SIZE` pixels (long side):

1. an edge map: Canny on the gradient of whichever Lab channel changes most at each
   pixel (so that a white card on a white table still shows its colour edge), and, per
   direction, how strongly the image changes across it;
2. straight lines: the distinct Hough lines with the longest edge runs, each with a running
   count of its edge samples;
3. candidates: every two pairs of roughly parallel lines that cross at roughly right
   angles bound a quadrilateral, kept when at least :data:`MIN_SIDE_COVERAGE` of each
   side's stretch of line carries an edge (gaps from glare or a low-contrast background
   are tolerated);
4. ranking: a linear score (:data:`FEATURE_NAMES`, weights fitted by
   :mod:`idstream.preprocess.train`) of edge coverage along and beyond each side, parallel
   edges just inside and outside, the colour difference across each side, size, aspect
   ratio against ID-1 / ID-3, corner angles, and the edge support of each side next to its
   corners (a side on a background edge beyond the card leaves its neighbours' ends bare);
5. snapping: the best few candidates are snapped onto the edges they approximate
   (:func:`_snap_sides`) and ranked again with their unsnapped selves; the winner's
   sides are then snapped once more on the full-resolution input (sub-pixel edge
   positions across each side, away from the rounded corners), and its corners are where
   those lines meet. Both snaps fit each side by consensus (:func:`_consensus_edge`): the
   straight line that the most profiles across the side have an edge on, so that a side
   that was found at a slant (one end on an inner line) is put back on the card's edge.

On a plain background (a scanner bed: the image's border is one flat colour) steps 2-5 are
skipped: the document is the rectangle around everything that differs from that colour
(:func:`plain_background_quad`), and only the final full-resolution snap refines it. An
image with a format's aspect ratio in which nothing large is found is taken as cropped to the
document: its corners are the image's (:func:`_frame_is_document`).

The result is in input-image pixels, clockwise from the top-left corner *of
the image* (which of its corners is the card's own top-left is decided by
:mod:`idstream.preprocess.orient`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from idstream.document import Quad
from idstream.errors import ModelError
from idstream.preprocess._arrays import FloatArray, ImageArray, as_image
from idstream.preprocess.formats import FORMATS

__all__ = [
    "ANALYSIS_SIZE",
    "FEATURE_NAMES",
    "MIN_AREA_FRACTION",
    "MIN_SIDE_SUPPORT",
    "candidate_quads",
    "downscale",
    "find_card_quad",
    "order_clockwise",
    "plain_background_quad",
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
#: Angular resolution of the Hough transform: steps over 180 degrees (1 degree; the snap refines).
HOUGH_ANGLES = 180
#: Sampling step along a line (px), largest gap bridged in a run (samples), edge level of a run (0-255).
RUN_STEP, RUN_GAP, RUN_LEVEL = 2.0, 5, 90
#: Lines closer than this (degrees, and pixels at the middle of the run) are the same edge.
DUPLICATE_DEG, DUPLICATE_PX = 6.0, 8.0
#: Weight of the edge coverage found beyond a side's ends.
EXTENSION_PENALTY = 0.6
#: Share of a candidate side's stretch of line that must carry an edge.
MIN_SIDE_COVERAGE = 0.65
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
#: Offset of the colour bands beside each side (share of the candidate's mean side length).
BAND_OFFSET = 0.025
#: Lab distance between bands that counts as a full colour difference.
BAND_CONTRAST = 40.0
#: Stretch of each side next to its corners (share of the side, from either end, past the
#: rounding) whose edge coverage tells whether the side ends where its neighbours do.
CORNER_SPAN = (0.06, 0.14)
#: Samples per side when scoring.
SIDE_SAMPLES = 32
#: Search half-width of the coarse side snap (share of the candidate's diagonal, analysis image).
SNAP_COARSE = 0.03
#: Whether the coarse snap fits each side by consensus (:func:`_consensus_edge`).
COARSE_ROBUST = True
#: Candidates fully scored, at most (the best covered by edges; see :func:`_preselect`).
PRESELECT = 500
#: Best-ranked candidates that are snapped to their edges and ranked again.
RERANK_TOP = 8
#: Search half-width of the fine side snap, in analysis-image pixels (searched at full resolution).
SNAP_FINE = 8.0
#: Local maxima kept per profile by the robust side fit (:func:`_consensus_edge`).
CONSENSUS_PEAKS = 3
#: Profiles sampled across each side by the coarse snap of the best candidates.
COARSE_SAMPLES = 24
#: Profiles sampled across each side when snapping.
SNAP_SAMPLES = 40
#: Plain-background segmentation (a scanner bed, a plain sheet): width of the image's border
#: ring that samples the background (share of the short side); the image counts as a document
#: on a plain background when the 95th percentile of the ring's Lab distance from its median
#: colour (its noise) is at most ``BED_MAX_NOISE``; a pixel is background within
#: ``BED_TOLERANCE + 2 * noise`` of that colour.
BED_RING, BED_MAX_NOISE, BED_TOLERANCE = 0.02, 3.0, 3.0
#: An image whose aspect ratio is within this (absolute log ratio) of a format's is taken as
#: cropped to the document when no plain background is seen and the line search finds nothing
#: larger than :data:`FULL_FRAME_MAX_INNER` of it (an inner structure: the photo box, a frame).
FULL_FRAME_ASPECT, FULL_FRAME_MAX_INNER = 0.02, 0.6
#: Foreground blobs shorter than this share of the short side (both ways) are ignored (dust).
BED_MIN_BLOB = 0.04
#: Closing that joins the foreground into one blob (share of the short side).
BED_CLOSE = 0.03
#: The blob's convex hull must fill at least this share of its smallest enclosing rectangle.
BED_RECTANGULARITY = 0.92


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
    if image.ndim == 2:
        image = as_image(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))
    small, scale = downscale(image, analysis_size)
    height, width = small.shape[:2]
    plain = plain_background_quad(small)
    found = plain if plain is not None else _best_quad(small)
    if plain is None and _frame_is_document(width, height, found):
        full_h, full_w = image.shape[:2]
        return ((-0.5, -0.5), (full_w - 0.5, -0.5), (full_w - 0.5, full_h - 0.5), (-0.5, full_h - 0.5))
    if found is None:
        return None
    # A sub-pixel snap of the sides on the input itself (narrow search around the coarse sides).
    # Pixel centre x of the shrunk image sits at (x + 0.5) / scale - 0.5 in the input.
    full = (found + 0.5) / scale - 0.5
    full = _snap_sides(
        image,
        full,
        radius=max(2.0, SNAP_FINE / scale),
        prefer_near=False,
        robust=True,
        tolerance=max(1.5, 0.5 / scale),
    )
    pts = order_clockwise(full)
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
        self.lab = lab
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
        kernel = np.ones((5, 5), np.uint8)
        maps = []
        for b in range(ORIENTATION_BINS):
            phi = (b + 0.5) * np.pi / ORIENTATION_BINS
            across = cv2.addWeighted(gx, math.cos(phi), gy, math.sin(phi), 0.0)
            level = cv2.convertScaleAbs(across, alpha=255.0 / EDGE_STRENGTH)  # |.|, saturated to 255
            maps.append(cv2.dilate(level, kernel))
        # oriented[b]: change across direction b (0-255 for 0..EDGE_STRENGTH), max over 5x5.
        self.oriented = np.stack(maps)


def candidate_quads(small: ImageArray) -> tuple[_EdgeField, FloatArray]:
    """The edge field of the analysis image and its candidate quadrilaterals (``(Q, 4, 2)``)."""
    height, width = small.shape[:2]
    field = _EdgeField(small)
    lines = _distinct_lines(_long_edges(field.edges, min(height, width)), field, min(height, width))
    if len(lines) < 4:
        return field, np.zeros((0, 4, 2))
    return field, _candidate_quads(lines, width, height)


def plain_background_quad(small: ImageArray) -> FloatArray | None:
    """The document as the one rectangular blob on a plain background, or ``None``.

    On a scanner bed (or any plain, evenly lit surface) the border of the image shows only
    the background, and everything that differs from its colour is the document, even where
    the document's own edge is too faint for the line search (a white card on a white bed),
    and its inner structures (the photo box, a frame) cannot outrank it. Applies only when
    the border ring (:data:`BED_RING`) is plain: the 95th percentile of its Lab distance from
    its median colour is at most :data:`BED_MAX_NOISE` (a photo's table, noise and shading
    fail this, and a scan cropped into the card does too). The differing pixels are closed
    (:data:`BED_CLOSE`), blobs shorter than :data:`BED_MIN_BLOB` are dropped, and the convex
    hull of the rest must fill at least :data:`BED_RECTANGULARITY` of its minimum-area
    rectangle, which must be a plausible document (size, aspect ratio).

    Returns:
        The blob's minimum-area rectangle ``(4, 2)`` in ``small``'s pixels, clockwise from
        the top-left, or ``None``.
    """
    height, width = small.shape[:2]
    short = min(height, width)
    ring = max(2, round(BED_RING * short))
    if short <= 4 * ring:
        return None

    def lab(part: ImageArray) -> FloatArray:
        blurred = cv2.GaussianBlur(cv2.cvtColor(part, cv2.COLOR_BGR2LAB), (5, 5), 0)
        return np.asarray(blurred, dtype=np.float32)

    # The ring first (cheap): most photos stop here.
    border = np.concatenate(
        [
            lab(small[: ring + 2])[:ring].reshape(-1, 3),
            lab(small[-ring - 2 :])[-ring:].reshape(-1, 3),
            lab(small[:, : ring + 2])[ring:-ring, :ring].reshape(-1, 3),
            lab(small[:, -ring - 2 :])[ring:-ring, -ring:].reshape(-1, 3),
        ]
    )
    background = np.median(border, axis=0)
    noise = float(np.percentile(np.linalg.norm(border - background, axis=1), 95))
    if noise > BED_MAX_NOISE:
        return None
    tolerance = BED_TOLERANCE + 2.0 * noise
    foreground = (np.linalg.norm(lab(small) - background, axis=2) > tolerance).astype(np.uint8)
    size = max(3, round(BED_CLOSE * short) | 1)
    foreground = cv2.morphologyEx(foreground, cv2.MORPH_CLOSE, np.ones((size, size), np.uint8))
    contours, _ = cv2.findContours(foreground, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    kept = [c for c in contours if max(cv2.boundingRect(c)[2:]) >= BED_MIN_BLOB * short]
    if not kept:
        return None
    hull = cv2.convexHull(np.concatenate(kept))
    (cx, cy), (rw, rh), angle = cv2.minAreaRect(hull)
    if rw * rh <= 0 or cv2.contourArea(hull) < BED_RECTANGULARITY * rw * rh:
        return None
    corners = order_clockwise(cv2.boxPoints(((cx, cy), (rw, rh), angle)).astype(np.float64))
    valid, _, _, _ = _shape(corners[None], width, height)
    return corners if bool(valid[0]) else None


def _frame_is_document(width: int, height: int, found: FloatArray | None) -> bool:
    """Whether the image itself is the document: a scan or photo cropped to the card.

    Its aspect ratio must be a format's (within :data:`FULL_FRAME_ASPECT`), and the best
    quadrilateral inside it, if any, no larger than :data:`FULL_FRAME_MAX_INNER` of it.
    """
    aspect = max(width, height) / max(min(width, height), 1)
    if min(abs(math.log(aspect / f.aspect)) for f in FORMATS.values()) > FULL_FRAME_ASPECT:
        return False
    return found is None or _area(found) < FULL_FRAME_MAX_INNER * width * height


def _best_quad(small: ImageArray) -> FloatArray | None:
    height, width = small.shape[:2]
    field, quads = candidate_quads(small)
    if len(quads) == 0:
        return None
    quads = _preselect(quads, field)
    scores = _score_quads(quads, field, width, height)
    order = [int(k) for k in np.argsort(-scores)[:RERANK_TOP] if np.isfinite(scores[k])]
    if not order:
        return None
    # The best few are snapped onto the edges they approximate and ranked again: a candidate
    # whose line was a few pixels off gains the full support of its true edge.
    snapped = np.stack(
        [
            _snap_sides(
                small,
                quads[k],
                radius=SNAP_COARSE * _diagonal(quads[k]),
                prefer_near=True,
                robust=COARSE_ROBUST,
                samples=COARSE_SAMPLES,
            )
            for k in order
        ]
    )
    # The unsnapped ones compete too: on a faint edge the snap can jump to a stronger inner one.
    pool = np.concatenate([quads[order], _order_many(snapped)])
    rescored = _score_quads(pool, field, width, height)
    best = int(np.argmax(rescored))
    chosen = pool[best] if np.isfinite(rescored[best]) else quads[order[0]]
    if _edge_support(chosen, field) < MIN_SIDE_SUPPORT:
        return None
    return np.asarray(chosen, dtype=np.float64)


def _preselect(quads: FloatArray, field: _EdgeField) -> FloatArray:
    """The :data:`PRESELECT` candidates whose sides are best covered by edges (all when fewer).

    A cheap first cut (edge coverage along the sides, 12 samples each) before the full
    features are computed: busy photos give thousands of candidates.
    """
    if len(quads) <= PRESELECT:
        return quads
    sides = np.roll(quads, -1, axis=1) - quads
    normal_angle = (np.arctan2(sides[..., 1], sides[..., 0]) + np.pi / 2) % np.pi
    bins = np.minimum((normal_angle / np.pi * ORIENTATION_BINS).astype(np.int64), ORIENTATION_BINS - 1)
    coverage = _coverage(field, quads, sides, bins, np.linspace(0.05, 0.95, 12))
    score = coverage.min(axis=1) + coverage.mean(axis=1)
    keep = np.argpartition(-score, PRESELECT)[:PRESELECT]
    return np.asarray(quads[np.sort(keep)], dtype=np.float64)


def _long_edges(edges: ImageArray, short_side: int) -> ImageArray:
    """Keep the edge curves at least :data:`MIN_EDGE_EXTENT` of the short side long (drops text)."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(edges, connectivity=8)
    extent = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    keep = extent >= MIN_EDGE_EXTENT * short_side
    keep[0] = False
    return as_image(np.where(keep[labels], 255, 0).astype(np.uint8))


@dataclass(slots=True)
class _Lines:
    """Straight edges of an image.

    Attributes:
        params: ``(N, 4)`` rows ``(rho, theta, t0, t1)``: the line ``x cos(theta) + y sin(theta) = rho``
            and its longest edge run from ``t0`` to ``t1`` along the direction
            ``(-sin(theta), cos(theta))`` from the foot point ``rho * (cos(theta), sin(theta))``.
        cumulative: ``(N, S + 1)`` running count of the edge samples along each line (samples
            :data:`RUN_STEP` apart from ``start``), so that the edge coverage of any stretch of
            a line is two look-ups.
        start: ``(N,)`` position ``t`` of each line's first sample.
    """

    params: FloatArray
    cumulative: FloatArray
    start: FloatArray

    def __len__(self) -> int:
        return len(self.params)


def _distinct_lines(edges: ImageArray, field: _EdgeField, short_side: int) -> _Lines:
    """The straight edges of the image as lines with the extent of their longest edge run.

    Hough lines are ranked by the length of their longest continuous run of edge strength
    (gaps of a few pixels bridged) rather than by votes, so that a card's short side is not
    outranked by long background lines or by rows of text.

    Returns:
        The lines (see :class:`_Lines`).
    """
    height, width = edges.shape
    threshold = max(20, int(0.05 * short_side))
    found = cv2.HoughLines(edges, 1, np.pi / HOUGH_ANGLES, threshold)
    if found is None:
        return _Lines(np.zeros((0, 4)), np.zeros((0, 1)), np.zeros(0))
    raw = found.reshape(-1, 2)[:HOUGH_CANDIDATES].astype(np.float64)
    rho, theta = raw[:, 0], raw[:, 1]
    half = math.hypot(width, height) / 2.0
    foot_x, foot_y = rho * np.cos(theta), rho * np.sin(theta)
    # Sample each line across the whole image: around the projection of the image centre.
    centre_t = (width / 2.0 - foot_x) * -np.sin(theta) + (height / 2.0 - foot_y) * np.cos(theta)
    t = centre_t[:, None] + np.arange(-half, half, RUN_STEP)[None, :]  # (R, S)
    # float32 sample positions and one flat gather from the (bins, height, width) stack: this
    # samples a few hundred thousand points per image.
    t32 = t.astype(np.float32)
    xs = foot_x.astype(np.float32)[:, None] - t32 * np.sin(theta).astype(np.float32)[:, None]
    ys = foot_y.astype(np.float32)[:, None] + t32 * np.cos(theta).astype(np.float32)[:, None]
    inside = (xs >= -0.5) & (xs < width - 0.5) & (ys >= -0.5) & (ys < height - 0.5)
    bins = np.minimum((theta / np.pi * ORIENTATION_BINS).astype(np.int32), ORIENTATION_BINS - 1)
    flat = (bins * (height * width))[:, None] + np.where(
        inside, np.rint(ys).astype(np.int32) * width + np.rint(xs).astype(np.int32), 0
    )
    on = (np.take(field.oriented, flat) >= RUN_LEVEL) & inside
    runs = _longest_runs(on)  # (R, 2) sample indices, -1 when none
    lengths = (runs[:, 1] - runs[:, 0]) * RUN_STEP
    order = np.argsort(-lengths, kind="stable")
    kept: list[tuple[float, float, float, float]] = []
    kept_index: list[int] = []
    kept_rho = np.empty(MAX_LINES)
    kept_cos = np.empty(MAX_LINES)
    kept_sin = np.empty(MAX_LINES)
    kept_theta = np.empty(MAX_LINES)
    duplicate_rad = math.radians(DUPLICATE_DEG)
    for index in order:
        if lengths[index] < MIN_EDGE_EXTENT * short_side:
            break
        r, th = float(rho[index]), float(theta[index])
        t0, t1 = float(t[index, runs[index, 0]]), float(t[index, runs[index, 1]])
        middle = (t0 + t1) / 2.0
        mx, my = r * math.cos(th) - middle * math.sin(th), r * math.sin(th) + middle * math.cos(th)
        n = len(kept)
        if n:
            dt = np.abs(th - kept_theta[:n])
            close = (np.minimum(dt, math.pi - dt) < duplicate_rad) & (
                np.abs(mx * kept_cos[:n] + my * kept_sin[:n] - kept_rho[:n]) < DUPLICATE_PX
            )
            if close.any():
                continue
        kept.append((r, th, t0, t1))
        kept_index.append(int(index))
        kept_rho[n], kept_theta[n], kept_cos[n], kept_sin[n] = r, th, math.cos(th), math.sin(th)
        if len(kept) >= MAX_LINES:
            break
    rows = on[kept_index]
    cumulative = np.zeros((len(kept_index), rows.shape[1] + 1))
    cumulative[:, 1:] = np.cumsum(rows, axis=1)
    return _Lines(np.array(kept, dtype=np.float64).reshape(-1, 4), cumulative, t[kept_index, 0])


def _longest_runs(rows: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Start and end sample of the longest run of ``True`` in each row (gaps up to :data:`RUN_GAP`
    samples apart bridged); ``(-1, -1)`` for a row without any."""
    count, samples = rows.shape
    out = np.full((count, 2), -1, dtype=np.int64)
    if count == 0 or samples == 0:
        return out
    padded = np.zeros((count, samples + 2 * RUN_GAP), dtype=np.uint8)
    padded[:, RUN_GAP : RUN_GAP + samples] = rows
    kernel = np.ones((1, RUN_GAP), dtype=np.uint8)  # closing fills gaps shorter than RUN_GAP
    closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, kernel)[:, RUN_GAP : RUN_GAP + samples] > 0
    before = np.zeros_like(closed)
    before[:, 1:] = closed[:, :-1]
    after = np.zeros_like(closed)
    after[:, :-1] = closed[:, 1:]
    start_row, start_col = np.nonzero(closed & ~before)
    _, end_col = np.nonzero(closed & ~after)
    if len(start_row) == 0:
        return out
    lengths = end_col - start_col
    order = np.lexsort((-lengths, start_row))  # per row, longest first (earliest among ties)
    first = np.ones(len(order), dtype=np.bool_)
    first[1:] = start_row[order][1:] != start_row[order][:-1]
    pick = order[first]
    out[start_row[pick], 0] = start_col[pick]
    out[start_row[pick], 1] = end_col[pick]
    return out


def _candidate_quads(found: _Lines, width: int, height: int) -> FloatArray:
    """Quadrilaterals bounded by two pairs of near-parallel lines crossing near right angles.

    Every side must be seen: at least :data:`MIN_SIDE_COVERAGE` of the stretch of its line
    between its two corners (rounded corners left out) carries an edge, which keeps the
    candidates to quadrilaterals whose sides are actually there while tolerating gaps (glare,
    a low-contrast stretch of background).
    """
    lines = found.params
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
    crossings, inside, position = _corner_table(found, width, height)
    corner_lines = [(l1, l3), (l3, l2), (l2, l4), (l4, l1)]
    ok = np.ones(len(l1), dtype=np.bool_)
    for p, q in corner_lines:
        ok &= inside[p, q]
    # side on line p between its crossings with q and r
    for p, q, r in ((l3, l1, l2), (l2, l3, l4), (l4, l2, l1), (l1, l4, l3)):
        idx = np.flatnonzero(ok)
        if len(idx) == 0:
            break
        pp, qq, rr = p[idx], q[idx], r[idx]
        ok[idx] &= _stretch_coverage(found, pp, position[pp, qq], position[pp, rr]) >= MIN_SIDE_COVERAGE
    if not ok.any():
        return np.zeros((0, 4, 2))
    corners = _order_many(np.stack([crossings[p[ok], q[ok]] for p, q in corner_lines], axis=1))  # (Q, 4, 2)
    return corners[_shape(corners, width, height)[0]]


def _stretch_coverage(found: _Lines, line: NDArray[np.int64], t_a: FloatArray, t_b: FloatArray) -> FloatArray:
    """Share of edge samples on each ``line`` between ``t_a`` and ``t_b`` (ends trimmed by 8%)."""
    lo, hi = np.minimum(t_a, t_b), np.maximum(t_a, t_b)
    trim = 0.08 * (hi - lo)
    samples = found.cumulative.shape[1] - 1
    k_lo = np.clip(np.rint((lo + trim - found.start[line]) / RUN_STEP), 0, samples).astype(np.int64)
    k_hi = np.clip(np.rint((hi - trim - found.start[line]) / RUN_STEP), 0, samples).astype(np.int64)
    hits = found.cumulative[line, k_hi] - found.cumulative[line, k_lo]
    return np.asarray(hits / np.maximum(k_hi - k_lo, 1), dtype=np.float64)


def _corner_table(found: _Lines, width: int, height: int) -> tuple[FloatArray, NDArray[np.bool_], FloatArray]:
    """Crossing of every two lines, whether it lies in the image, and where along the first line.

    Returns:
        ``(L, L, 2)`` crossings (``-1e9`` for parallel lines), an ``(L, L)`` mask of those inside
        the image (with a small margin), and ``(L, L)`` positions ``t`` of crossing ``[p, q]``
        along line ``p``.
    """
    lines = found.params
    n = len(lines)
    i = np.repeat(np.arange(n), n)
    j = np.tile(np.arange(n), n)
    points = _cross_many(lines[i], lines[j])
    finite = np.all(np.isfinite(points), axis=1)
    points = np.where(finite[:, None], points, -1e9)
    margin = 0.03 * max(width, height)
    inside = (
        finite
        & (points[:, 0] >= -margin)
        & (points[:, 1] >= -margin)
        & (points[:, 0] <= width + margin)
        & (points[:, 1] <= height + margin)
    )
    rho, theta = lines[i, 0], lines[i, 1]
    foot_x, foot_y = rho * np.cos(theta), rho * np.sin(theta)
    along = (points[:, 0] - foot_x) * -np.sin(theta) + (points[:, 1] - foot_y) * np.cos(theta)
    return points.reshape(n, n, 2), inside.reshape(n, n), along.reshape(n, n)


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
    t32 = t.astype(np.float32)
    xs = starts[..., 0, None].astype(np.float32) + t32 * sides[..., 0, None].astype(np.float32)  # (Q, 4, S)
    ys = starts[..., 1, None].astype(np.float32) + t32 * sides[..., 1, None].astype(np.float32)
    inside = (xs > -0.5) & (xs < width - 0.5) & (ys > -0.5) & (ys < height - 0.5)
    # One flat index into the (bins, height, width) stack: a single gather.
    flat = (
        bins[..., None] * (height * width)
        + np.clip(np.rint(ys), 0, height - 1).astype(np.int64) * width
        + np.clip(np.rint(xs), 0, width - 1).astype(np.int64)
    )
    strength = np.take(field.oriented, np.where(inside, flat, -1))
    strength = np.where(inside, strength, 0)
    return np.asarray(strength.sum(axis=2, dtype=np.float64) / (255.0 * len(t)), dtype=np.float64)


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
    "format_deviation",
    "band_contrast_min",
    "inside_band_spread",
    "corner_deviation",
    "corner_support_min",
    "corner_support_mean",
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
    -4.0,
    1.0,
    -1.0,
    -1.0,
    1.0,
    0.0,
    0.0,
)


def _band_colour(field: _EdgeField, starts: FloatArray, sides: FloatArray, t: FloatArray) -> FloatArray:
    """Mean Lab colour at the points ``start + t * side`` of each side, ``(Q, 4, 3)``."""
    height, width = field.lab.shape[:2]
    xs = np.clip(np.rint(starts[..., 0, None] + t * sides[..., 0, None]), 0, width - 1).astype(np.int64)
    ys = np.clip(np.rint(starts[..., 1, None] + t * sides[..., 1, None]), 0, height - 1).astype(np.int64)
    colours = field.lab[ys, xs].astype(np.float64)  # (Q, 4, S, 3)
    return np.asarray(colours.mean(axis=2), dtype=np.float64)


def _shape(
    quads: FloatArray, width: int, height: int
) -> tuple[NDArray[np.bool_], FloatArray, FloatArray, FloatArray]:
    """Whether each quadrilateral is a plausible document (convex, corner angles 40-140 degrees,
    aspect ratio and size in range), with its corner cosines, aspect ratio and area share."""
    sides = np.roll(quads, -1, axis=1) - quads
    lengths = np.hypot(sides[..., 0], sides[..., 1])
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
    return np.asarray(valid, dtype=np.bool_), cos, aspect, areas


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
    # Each side's edge runs right up to the corners (less the rounding): a side snapped onto a
    # background edge beyond the card leaves its neighbours' ends bare.
    ends = np.concatenate(
        [
            _coverage(field, quads, sides, bins, np.linspace(*CORNER_SPAN, 6)),
            _coverage(field, quads, sides, bins, 1.0 - np.linspace(*CORNER_SPAN, 6)),
        ],
        axis=1,
    )  # (Q, 8)
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
    # Colour of thin bands just inside and just outside each side: a card differs from what it
    # lies on along all four sides, and its own margin looks alike along all four.
    inner = _band_colour(field, quads - outward * scale * BAND_OFFSET, sides, t_mid)
    outer = _band_colour(field, quads + outward * scale * BAND_OFFSET, sides, t_mid)
    contrast = np.minimum(np.linalg.norm(inner - outer, axis=2) / BAND_CONTRAST, 1.0)  # (Q, 4)
    median_inner = np.median(inner, axis=1, keepdims=True)
    spread = np.minimum(np.linalg.norm(inner - median_inner, axis=2) / BAND_CONTRAST, 1.0)
    valid, cos, aspect, areas = _shape(quads, width, height)
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
            np.min([np.abs(np.log(aspect / f.aspect)) for f in FORMATS.values()], axis=0),
            contrast.min(axis=1),
            spread.max(axis=1),
            np.degrees(np.arccos(np.clip(np.abs(cos), 0, 1))).min(axis=1) / -90.0 + 1.0,
            ends.min(axis=1),
            ends.mean(axis=1),
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


def _snap_sides(
    image: ImageArray,
    quad: FloatArray,
    *,
    radius: float,
    prefer_near: bool,
    robust: bool = False,
    tolerance: float = 1.5,
    samples: int = SNAP_SAMPLES,
) -> FloatArray:
    """Move each side of ``quad`` onto the strongest colour edge across it, to sub-pixel accuracy.

    Profiles are sampled across each side (away from the rounded corners) at one-pixel steps
    within ``radius``; on each profile the strongest change of Lab colour is located (parabolic
    peak); a line is fitted (Huber) through the edge points of the stronger profiles, and the
    corners are where adjacent lines meet. Only the sampled profiles are read (``cv2.remap``),
    so this is cheap even on a 12-megapixel photo.

    Args:
        image: BGR ``uint8`` image the quad's coordinates refer to.
        quad: ``(4, 2)`` corners in pixel-centre coordinates, in order around the quad.
        radius: search half-width across each side, pixels.
        prefer_near: weight edges by their closeness to the current side (a wide search
            should not jump to a stronger edge further away).
        robust: instead of the strongest edge of each profile, keep the few strongest local
            maxima of every profile and fit the straight line that the most of them support
            (:func:`_consensus_edge`): a side found at a slant (one end on the card's edge, the
            other on an inner line or a background edge) is put back on the edge along it.
        tolerance: distance (pixels) within which a maximum supports a line (``robust`` only).
        samples: profiles across each side.

    Returns:
        The snapped corners; a corner is kept as it was when its two sides could not be fitted
        or when the new corner moved further than the search allows.
    """
    height, width = image.shape[:2]
    offsets = np.arange(-math.ceil(radius), math.ceil(radius) + 1, dtype=np.float32)
    if len(offsets) < 5:
        return quad
    t = np.linspace(0.1, 0.9, samples, dtype=np.float64)
    sides = np.roll(quad, -1, axis=0) - quad  # (4, 2)
    lengths = np.hypot(sides[:, 0], sides[:, 1])
    normals = np.stack([-sides[:, 1], sides[:, 0]], axis=1) / np.maximum(lengths, 1e-9)[:, None]
    midpoints = quad + sides / 2
    normals *= np.where(np.einsum("kd,kd->k", normals, midpoints - quad.mean(axis=0)) < 0, -1.0, 1.0)[:, None]
    bases = quad[:, None, :] + t[None, :, None] * sides[:, None, :]  # (4, S, 2)
    # All four sides' profiles in one remap: rows are profiles, columns offsets along the normal.
    grid = bases[:, :, None, :] + offsets[None, None, :, None] * normals[:, None, None, :]  # (4, S, O, 2)
    map_x = np.ascontiguousarray(grid[..., 0].reshape(4 * len(t), -1), dtype=np.float32)
    map_y = np.ascontiguousarray(grid[..., 1].reshape(4 * len(t), -1), dtype=np.float32)
    inside = (map_x >= 0) & (map_x <= width - 1) & (map_y >= 0) & (map_y <= height - 1)
    profiles = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    lab_all = cv2.cvtColor(profiles, cv2.COLOR_BGR2LAB).astype(np.float32)
    weights = np.array([1.0, 2.0, 2.0], dtype=np.float32)
    lines: list[tuple[FloatArray, FloatArray] | None] = []
    for i in range(4):
        rows = slice(i * len(t), (i + 1) * len(t))
        if lengths[i] < 12:
            lines.append(None)
            continue
        lab = np.asarray(cv2.GaussianBlur(lab_all[rows], (5, 3), 0), dtype=np.float32)
        diff = (lab[:, 2:] - lab[:, :-2]) * weights
        magnitude = np.sqrt((diff**2).sum(axis=2)) * (inside[rows, 2:] & inside[rows, :-2])
        base, normal = bases[i], normals[i]
        if prefer_near:
            magnitude = magnitude * np.exp(-0.5 * (offsets[1:-1] / (0.6 * radius)) ** 2)[None, :]
        if robust:
            points = _consensus_edge(
                magnitude, base, normal, offsets[1:-1].astype(np.float64), tolerance=tolerance
            )
            if points is None:
                lines.append(None)
                continue
        else:
            peak = np.argmax(magnitude, axis=1)
            strength = magnitude[np.arange(len(peak)), peak]
            interior = (peak > 0) & (peak < magnitude.shape[1] - 1)
            position = offsets[1:-1][peak] + _subpixel(magnitude, peak)
            good = interior & (strength >= 0.5 * float(np.median(strength))) & (strength > 4.0)
            if int(good.sum()) < max(6, samples // 4):
                lines.append(None)
                continue
            points = base[good] + position[good, None] * normal[None, :]
        vx, vy, x0, y0 = cv2.fitLine(points.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], dtype=np.float64), np.array([vx, vy], dtype=np.float64)))
    snapped = quad.copy()
    for i in range(4):
        before, after = lines[(i - 1) % 4], lines[i]
        if before is None or after is None:
            continue
        corner = _intersect(before, after)
        if corner is not None and float(np.hypot(*(corner - quad[i]))) < 3.0 * radius + 2.0:
            snapped[i] = corner
    return snapped


def _subpixel(magnitude: FloatArray, peak: NDArray[np.int64]) -> FloatArray:
    """Parabolic sub-sample offset (-0.5..0.5) of the maxima ``peak`` of each row of ``magnitude``."""
    rows = np.arange(len(peak))
    strength = magnitude[rows, peak]
    left = magnitude[rows, np.clip(peak - 1, 0, None)]
    right = magnitude[rows, np.clip(peak + 1, None, magnitude.shape[1] - 1)]
    curvature = left - 2 * strength + right
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature < 0, 0.5 * (left - right) / curvature, 0.0)
    return np.asarray(np.clip(np.nan_to_num(shift), -0.5, 0.5), dtype=np.float64)


def _consensus_edge(
    magnitude: FloatArray, base: FloatArray, normal: FloatArray, offsets: FloatArray, *, tolerance: float
) -> FloatArray | None:
    """Edge points of the straight edge most profiles across a side agree on.

    Each profile (row of ``magnitude``, sampled at ``offsets`` along ``normal`` from its
    ``base`` point) contributes its :data:`CONSENSUS_PEAKS` strongest local maxima. Every line
    through one of the two strongest maxima of a profile in the first third and one in the
    last third (every other profile) is a hypothesis; its support is the summed strength, over
    profiles, of the strongest maximum within ``tolerance`` of it. The best hypothesis's
    maxima, one per profile, are returned (``None`` when too few profiles support it).
    """
    count, width = magnitude.shape
    if width < 3 or count < 6:
        return None
    inner = magnitude[:, 1:-1]
    strength = np.where((inner > magnitude[:, :-2]) & (inner >= magnitude[:, 2:]) & (inner > 4.0), inner, 0.0)
    k = min(CONSENSUS_PEAKS, strength.shape[1])
    cols = np.argsort(-strength, axis=1)[:, :k]  # (count, k), strongest first
    rows = np.arange(count)[:, None]
    weights = strength[rows, cols]  # 0 where no maximum
    position = offsets[cols + 1] + _row_subpixel(magnitude, np.broadcast_to(rows, cols.shape), cols + 1)
    if int((weights[:, 0] > 0).sum()) < max(6, count // 4):
        return None
    third = max(1, count // 3)
    first = [(r, j) for r in range(0, third, 2) for j in range(min(2, k)) if weights[r, j] > 0]
    last = [
        (r, j) for r in range(count - 1, count - 1 - third, -2) for j in range(min(2, k)) if weights[r, j] > 0
    ]
    if not first or not last:
        return None
    ra, ja = np.array(first).T
    rb, jb = np.array(last).T
    ra, ja = np.repeat(ra, len(rb)), np.repeat(ja, len(rb))
    rb, jb = np.tile(rb, len(first)), np.tile(jb, len(first))
    pa, pb = position[ra, ja], position[rb, jb]
    slope = (pb - pa) / (rb - ra)
    predicted = pa[:, None] + slope[:, None] * (np.arange(count)[None, :] - ra[:, None])  # (H, count)
    near = np.abs(position[None, :, :] - predicted[:, :, None]) <= tolerance  # (H, count, k)
    support = np.where(near, weights[None, :, :], 0.0).max(axis=2).sum(axis=1)
    best = int(np.argmax(support))
    supported = np.where(near[best], weights, 0.0)  # (count, k)
    pick = np.argmax(supported, axis=1)
    good = supported[np.arange(count), pick] > 0
    if int(good.sum()) < max(6, count // 4):
        return None
    offset = position[np.arange(count), pick][good]
    return np.asarray(base[good] + offset[:, None] * normal[None, :], dtype=np.float64)


def _row_subpixel(magnitude: FloatArray, rows: NDArray[np.int64], cols: NDArray[np.int64]) -> FloatArray:
    """Parabolic sub-sample offset of the maxima at ``(rows, cols)`` of ``magnitude``."""
    centre = magnitude[rows, cols]
    left = magnitude[rows, np.clip(cols - 1, 0, None)]
    right = magnitude[rows, np.clip(cols + 1, None, magnitude.shape[1] - 1)]
    curvature = left - 2 * centre + right
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature < 0, 0.5 * (left - right) / curvature, 0.0)
    return np.asarray(np.clip(np.nan_to_num(shift), -0.5, 0.5), dtype=np.float64)
