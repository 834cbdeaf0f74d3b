"""Distortions map quads exactly and record the card's corners and orientation."""

from __future__ import annotations

import numpy as np
import pytest

from idstream.synth.distort import distort, map_points


def _card(w: int = 200, h: int = 120) -> np.ndarray:
    img = np.full((h, w, 3), 200, dtype=np.uint8)
    img[10:30, 20:60] = 0  # a black "word" at x 20..60, y 10..30
    return img


@pytest.mark.parametrize("kind", ["scan", "photo"])
def test_quads_and_card_quad_follow_the_homography(kind: str) -> None:
    for seed in range(6):
        quad = [[20.0, 10.0], [60.0, 10.0], [60.0, 30.0], [20.0, 30.0]]
        out = distort(_card(), [quad], kind, np.random.default_rng(seed))
        hom = np.array(out.info["homography"])
        assert np.allclose(out.quads[0], map_points(np.array(quad), hom), atol=1e-6)
        corners = map_points(np.array([[0, 0], [200, 0], [200, 120], [0, 120]]), hom)
        assert np.allclose(out.info["card_quad"], corners, atol=0.01)
        h, w = out.image.shape[:2]
        assert (corners >= -1).all() and (corners[:, 0] <= w + 1).all() and (corners[:, 1] <= h + 1).all()
        # the black word is where the mapped quad says (its centre is dark in the output)
        cx, cy = np.mean(out.quads[0], axis=0)
        ((bx, by),) = map_points(np.array([[40.0, 45.0]]), hom)  # plain card just below the word
        word, card = out.image[int(cy), int(cx)].mean(), out.image[int(by), int(bx)].mean()
        assert word < card - 60
        # rotation + skew agree with the direction of the card's top edge
        (x0, y0), (x1, y1) = corners[0], corners[1]
        angle = np.degrees(np.arctan2(y1 - y0, x1 - x0)) % 360
        total = (out.info["rotation"] + out.info["skew_deg"]) % 360
        assert min(abs(angle - total), 360 - abs(angle - total)) < 12  # perspective bends the edge a little


def test_photo_uses_every_quarter_turn() -> None:
    from idstream.synth.distort import _photo_pose

    rotations = {_photo_pose(np.random.default_rng(seed))[2] for seed in range(60)}
    assert rotations == {0, 90, 180, 270}
    # and the drawn pose is the one recorded (first draws of the distortion generator)
    for seed in range(3):
        pose = _photo_pose(np.random.default_rng(seed))
        info = distort(_card(), [], "photo", np.random.default_rng(seed)).info
        assert (info["rotation"], info["skew_deg"]) == (pose[2], round(pose[3], 3))


def test_none_is_the_identity() -> None:
    card = _card()
    out = distort(card, [[[1.0, 2.0], [3.0, 2.0], [3.0, 4.0], [1.0, 4.0]]], "none", np.random.default_rng(0))
    assert out.image is card
    assert out.quads == [[[1.0, 2.0], [3.0, 2.0], [3.0, 4.0], [1.0, 4.0]]]
    assert out.info["card_quad"] == [[0, 0], [200, 0], [200, 120], [0, 120]]
    with pytest.raises(ValueError):
        distort(card, [], "fisheye", np.random.default_rng(0))
