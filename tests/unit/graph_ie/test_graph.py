"""Document graph construction: reading order, neighbours, edge features (no torch)."""

from __future__ import annotations

import numpy as np

from idstream.document import Segment
from idstream.graph_ie.features import GEOMETRY_DIM, MAX_CHARS, TEXT_STATS_DIM, encode_chars
from idstream.graph_ie.graph import EDGE_DIM, build_graph, reading_order


def seg(text: str, x0: float, y0: float, x1: float, y1: float, doc: bool = False) -> Segment:
    quad = ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    if doc:
        return Segment(text, ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)), 1.0, doc_quad=quad)
    return Segment(text, quad, 1.0)


def card() -> list[Segment]:
    # Two label/value columns and a footer line, given out of reading order.
    return [
        seg("DOE", 100, 40, 160, 60),
        seg("Surname", 100, 10, 180, 30),
        seg("Given names", 300, 10, 420, 30),
        seg("JOHN", 300, 40, 360, 60),
        seg("P<UTODOE<<JOHN", 10, 200, 400, 220),
    ]


def test_reading_order_lines_then_left_to_right() -> None:
    g = build_graph(card(), (500, 250))
    assert g.texts == ["Surname", "Given names", "DOE", "JOHN", "P<UTODOE<<JOHN"]
    assert g.order == [1, 2, 0, 3, 4]


def test_reading_order_tolerates_slight_skew() -> None:
    boxes = np.array([[200, 12, 260, 32], [10, 10, 80, 30], [10, 50, 80, 70]], dtype=np.float64)
    assert reading_order(boxes) == [1, 0, 2]


def test_neighbours_connect_label_to_value_and_line() -> None:
    g = build_graph(card(), (500, 250), k=1)
    surname, given, doe, john = 0, 1, 2, 3
    assert doe in g.neighbours(surname)  # below it
    assert given in g.neighbours(surname)  # same line, right
    assert john in g.neighbours(given)
    # Symmetric edges.
    for i, j in g.edge_index.T:
        assert ((g.edge_index[0] == j) & (g.edge_index[1] == i)).any()
    assert not (g.edge_index[0] == g.edge_index[1]).any()


def test_edge_features_relative_geometry() -> None:
    g = build_graph(card(), (500, 250))
    assert g.edge_features.shape == (g.edge_index.shape[1], EDGE_DIM)
    e = int(np.flatnonzero((g.edge_index[0] == 0) & (g.edge_index[1] == 2))[0])  # Surname -> DOE
    f = g.edge_features[e]
    assert f[1] > 0  # DOE lies below
    assert abs(f[3] - 30 / 250) < 1e-6  # dy relative to the document height
    assert abs(f[6]) < 1e-6  # same text height: log ratio 0
    assert f[8] > 0.5  # they overlap horizontally
    assert np.isfinite(g.edge_features).all()


def test_node_features_and_chars() -> None:
    g = build_graph(card(), (500, 250))
    assert g.node_features.shape == (5, TEXT_STATS_DIM + GEOMETRY_DIM)
    assert g.chars.shape == (5, MAX_CHARS)
    ids = encode_chars(["Zé€"])[0]
    assert ids[0] > 1 and ids[1] == encode_chars(["e"])[0][0]  # accents folded
    assert ids[2] == 1 and ids[3] == 0  # unknown, then padding


def test_doc_quad_is_used_when_present() -> None:
    segs = [seg("A", 10, 10, 50, 30, doc=True), seg("B", 10, 100, 50, 120, doc=True)]
    g = build_graph(segs, (100, 200))
    assert g.boxes[1].tolist() == [10, 100, 50, 120]


def test_empty_and_single() -> None:
    assert build_graph([], (10, 10)).num_nodes == 0
    g = build_graph([seg("X", 0, 0, 5, 5)], (10, 10))
    assert g.edge_index.shape == (2, 0)
