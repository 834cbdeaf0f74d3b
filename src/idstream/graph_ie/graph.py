"""The document graph: OCR segments as nodes, spatial neighbours as edges.

Following Liu et al. (2019), every segment is a node; each node is connected to its
nearest neighbours and to its left/right neighbours on the same text line and the
nearest segments above and below. An edge ``i -> j`` carries the relative geometry of
``j`` seen from ``i``: offsets in units of ``i``'s text height and of the document
size, distance, the aspect ratio of ``j`` and the size ratios ``h_j/h_i``, ``w_j/w_i``,
and the horizontal/vertical overlap of the two boxes.

Nodes are stored in reading order (lines top to bottom, left to right within a
line), so the sequence layer of the model can run over node indices directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from idstream.document import Quad, Segment
from idstream.graph_ie.features import TEXT_STATS_DIM, box_geometry, encode_chars, text_stats

__all__ = ["EDGE_DIM", "DocumentGraph", "build_graph", "reading_order"]

EDGE_DIM = 10
#: Nearest neighbours per node (besides the line and column neighbours).
DEFAULT_K = 6


def _quad_box(quad: Quad) -> tuple[float, float, float, float]:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return min(xs), min(ys), max(xs), max(ys)


def reading_order(boxes: npt.NDArray[np.float64]) -> list[int]:
    """Order boxes as read: group into lines by vertical overlap, then left to right.

    Args:
        boxes: ``(N, 4)`` boxes ``(x0, y0, x1, y1)``.

    Returns:
        Indices of the boxes in reading order.
    """
    n = len(boxes)
    if n == 0:
        return []
    cy = (boxes[:, 1] + boxes[:, 3]) / 2
    hts = np.maximum(boxes[:, 3] - boxes[:, 1], 1.0)
    order = np.argsort(cy, kind="stable")
    lines: list[list[int]] = []
    line_cy = 0.0
    line_h = 1.0
    for idx in order:
        i = int(idx)
        if lines and abs(cy[i] - line_cy) <= 0.5 * min(line_h, hts[i]):
            lines[-1].append(i)
            m = len(lines[-1])
            line_cy = (line_cy * (m - 1) + cy[i]) / m
        else:
            lines.append([i])
            line_cy, line_h = float(cy[i]), float(hts[i])
    out: list[int] = []
    for line in lines:
        out.extend(sorted(line, key=lambda k: boxes[k, 0]))
    return out


@dataclass(slots=True)
class DocumentGraph:
    """A document as a graph, ready for the model (numpy arrays).

    Attributes:
        texts: segment texts, in reading order.
        order: ``order[k]`` is the index in the input list of node ``k``.
        boxes: ``(N, 4)`` axis-aligned boxes in document coordinates.
        chars: ``(N, MAX_CHARS)`` character ids.
        node_features: ``(N, TEXT_STATS_DIM + GEOMETRY_DIM)`` float32 (text statistics,
            then geometry).
        edge_index: ``(2, E)`` int64, source row 0, target row 1.
        edge_features: ``(E, EDGE_DIM)`` float32.
        doc_size: ``(width, height)`` of the document.
    """

    texts: list[str]
    order: list[int]
    boxes: npt.NDArray[np.float64]
    chars: npt.NDArray[np.int64]
    node_features: npt.NDArray[np.float32]
    edge_index: npt.NDArray[np.int64]
    edge_features: npt.NDArray[np.float32]
    doc_size: tuple[int, int]

    @property
    def num_nodes(self) -> int:
        return len(self.texts)

    def neighbours(self, node: int) -> list[int]:
        """Targets of the edges leaving ``node``."""
        return sorted(int(j) for j in self.edge_index[1, self.edge_index[0] == node])


def _edges(boxes: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.int64]:
    n = len(boxes)
    if n < 2:
        return np.zeros((2, 0), dtype=np.int64)
    cx = (boxes[:, 0] + boxes[:, 2]) / 2
    cy = (boxes[:, 1] + boxes[:, 3]) / 2
    hts = np.maximum(boxes[:, 3] - boxes[:, 1], 1.0)
    # Gap between boxes (0 when they overlap), vertical gaps weigh double.
    gx = np.maximum(
        0.0, np.maximum(boxes[None, :, 0] - boxes[:, None, 2], boxes[:, None, 0] - boxes[None, :, 2])
    )
    gy = np.maximum(
        0.0, np.maximum(boxes[None, :, 1] - boxes[:, None, 3], boxes[:, None, 1] - boxes[None, :, 3])
    )
    dist = np.hypot(gx, 2.0 * gy) + 0.01 * np.hypot(cx[None, :] - cx[:, None], cy[None, :] - cy[:, None])
    np.fill_diagonal(dist, np.inf)
    kk = min(k, n - 1)
    src = [np.repeat(np.arange(n), kk)]
    dst = [np.argpartition(dist, kk - 1, axis=1)[:, :kk].reshape(-1)]
    # Line neighbours (vertical overlap) and column neighbours (horizontal overlap).
    yover = np.minimum(boxes[:, None, 3], boxes[None, :, 3]) - np.maximum(
        boxes[:, None, 1], boxes[None, :, 1]
    )
    xover = np.minimum(boxes[:, None, 2], boxes[None, :, 2]) - np.maximum(
        boxes[:, None, 0], boxes[None, :, 0]
    )
    same_line = yover > 0.5 * np.minimum(hts[:, None], hts[None, :])
    np.fill_diagonal(same_line, False)
    adx = np.abs(cx[None, :] - cx[:, None])
    ady = np.abs(cy[None, :] - cy[:, None])
    column = (xover > 0) & ~same_line
    np.fill_diagonal(column, False)
    left_of = cx[None, :] < cx[:, None]
    above = cy[None, :] < cy[:, None]
    for mask, key in (
        (same_line & left_of, adx),
        (same_line & ~left_of, adx),
        (column & above, ady),
        (column & ~above, ady),
    ):
        masked = np.where(mask, key, np.inf)
        best = masked.argmin(axis=1)
        ok = np.isfinite(masked[np.arange(n), best])
        src.append(np.flatnonzero(ok))
        dst.append(best[ok])
    s_all, d_all = np.concatenate(src), np.concatenate(dst)
    # Make the graph symmetric (messages flow both ways) and drop duplicates.
    both = np.concatenate([s_all * n + d_all, d_all * n + s_all])
    uniq = np.unique(both)
    return np.stack([uniq // n, uniq % n]).astype(np.int64)


def _edge_features(
    boxes: npt.NDArray[np.float64], edge_index: npt.NDArray[np.int64], doc_size: tuple[int, int]
) -> npt.NDArray[np.float32]:
    if edge_index.shape[1] == 0:
        return np.zeros((0, 10), dtype=np.float32)
    src, dst = edge_index
    w = np.maximum(boxes[:, 2] - boxes[:, 0], 1.0)
    h = np.maximum(boxes[:, 3] - boxes[:, 1], 1.0)
    cx = (boxes[:, 0] + boxes[:, 2]) / 2
    cy = (boxes[:, 1] + boxes[:, 3]) / 2
    dx = cx[dst] - cx[src]
    dy = cy[dst] - cy[src]
    dw, dh = float(max(doc_size[0], 1)), float(max(doc_size[1], 1))
    xover = np.minimum(boxes[src, 2], boxes[dst, 2]) - np.maximum(boxes[src, 0], boxes[dst, 0])
    yover = np.minimum(boxes[src, 3], boxes[dst, 3]) - np.maximum(boxes[src, 1], boxes[dst, 1])
    feats = np.stack(
        [
            np.tanh(dx / h[src] / 10.0),
            np.tanh(dy / h[src] / 4.0),
            dx / dw,
            dy / dh,
            np.hypot(dx / dw, dy / dh),
            np.log(w[dst] / h[dst]) / 4.0,
            np.log(h[dst] / h[src]),
            np.log(w[dst] / w[src]) / 2.0,
            np.clip(xover / np.minimum(w[src], w[dst]), -1.0, 1.0),
            np.clip(yover / np.minimum(h[src], h[dst]), -1.0, 1.0),
        ],
        axis=1,
    )
    out: npt.NDArray[np.float32] = np.clip(feats, -4.0, 4.0).astype(np.float32)
    return out


def build_graph(segments: Sequence[Segment], doc_size: tuple[int, int], k: int = DEFAULT_K) -> DocumentGraph:
    """Build the graph of one document.

    Args:
        segments: OCR segments; ``doc_quad`` (rectified document coordinates) is used
            when present, else ``quad``.
        doc_size: ``(width, height)`` of the coordinate frame of the quads used.
        k: nearest neighbours per node.

    Returns:
        The :class:`DocumentGraph`, nodes in reading order.
    """
    raw = np.array(
        [_quad_box(s.doc_quad if s.doc_quad is not None else s.quad) for s in segments], dtype=np.float64
    ).reshape(-1, 4)
    order = reading_order(raw)
    boxes = raw[order] if order else raw
    texts = [segments[i].text for i in order]
    heights = boxes[:, 3] - boxes[:, 1]
    median_h = float(np.median(heights)) if len(heights) else 1.0
    stats = np.array([text_stats(t) for t in texts], dtype=np.float32).reshape(len(texts), TEXT_STATS_DIM)
    geom = box_geometry(boxes, doc_size, median_h)
    edge_index = _edges(boxes, k)
    return DocumentGraph(
        texts=texts,
        order=order,
        boxes=boxes,
        chars=encode_chars(texts),
        node_features=np.concatenate([stats, geom], axis=1).astype(np.float32),
        edge_index=edge_index,
        edge_features=_edge_features(boxes, edge_index, doc_size),
        doc_size=doc_size,
    )
