"""Synthetic test images for the preprocess tests: a card with text, photographed on clutter."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

Image = NDArray[np.uint8]

_LABELS = ["Surname", "Given names", "Date of birth", "Nationality", "Place of birth", "Expiry date"]
_VALUES = ["JOHANSSON", "Gabrielle Marie", "12 Aug 1987", "Republic of Utopia", "Hagbury, Ely", "01.07.2031"]


def render_card(width: int = 856, seed: int = 0) -> Image:
    """An ID-1 card (85.6 x 54 mm at width/85.6 px per mm): header, photo block, labelled fields."""
    rng = np.random.default_rng(seed)
    height = round(width * 54.0 / 85.6)
    card = np.full((height, width, 3), (238, 240, 236), dtype=np.uint8)
    card[: height // 7] = (200, 170, 120)  # header band
    scale = width / 856
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(
        card,
        "Identity card / Carte d'identite",
        (int(30 * scale), int(58 * scale)),
        font,
        1.1 * scale,
        (30, 30, 30),
        max(1, int(2 * scale)),
        cv2.LINE_AA,
    )
    x0, y0 = int(40 * scale), int(130 * scale)
    cv2.rectangle(card, (x0, y0), (x0 + int(220 * scale), y0 + int(290 * scale)), (120, 110, 100), -1)
    cv2.circle(card, (x0 + int(110 * scale), y0 + int(110 * scale)), int(60 * scale), (170, 160, 150), -1)
    tx = x0 + int(260 * scale)
    y = y0 + int(20 * scale)
    for label, value in zip(_LABELS, _VALUES, strict=True):
        cv2.putText(
            card, label, (tx, y), font, 0.55 * scale, (80, 80, 80), max(1, int(1.3 * scale)), cv2.LINE_AA
        )
        cv2.putText(
            card,
            value,
            (tx, y + int(30 * scale)),
            font,
            0.9 * scale,
            (20, 20, 20),
            max(1, int(2 * scale)),
            cv2.LINE_AA,
        )
        y += int(62 * scale)
    digits = "".join(str(d) for d in rng.integers(0, 10, 9))
    cv2.putText(
        card,
        f"No. {digits}",
        (x0, height - int(40 * scale)),
        font,
        0.8 * scale,
        (20, 20, 120),
        max(1, int(2 * scale)),
        cv2.LINE_AA,
    )
    return card


def clutter(width: int, height: int, seed: int) -> Image:
    """A table-like background with wood-ish texture and random objects."""
    rng = np.random.default_rng(seed)
    base = np.array(rng.integers(60, 160, 3), dtype=np.float32)
    noise = cv2.GaussianBlur(
        rng.normal(0, 1, (height // 8 + 1, width // 8 + 1)).astype(np.float32), (0, 0), 3
    )
    noise = cv2.resize(noise, (width, height))
    bg = np.clip(base[None, None, :] + 40 * noise[:, :, None], 0, 255).astype(np.uint8)
    for _ in range(12):
        color = tuple(int(c) for c in rng.integers(0, 255, 3))
        if rng.random() < 0.5:
            p1 = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            p2 = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            cv2.line(bg, p1, p2, color, int(rng.integers(1, 8)))
        else:
            center = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            cv2.circle(bg, center, int(rng.integers(10, max(11, width // 10))), color, -1)
    return bg


@dataclass
class Photo:
    image: Image
    quad: NDArray[np.float64]  # card corners clockwise from the card's own top-left
    card: Image


def photograph(
    card: Image,
    *,
    size: tuple[int, int] = (1600, 1200),
    rotation: float = 0.0,
    perspective: float = 0.08,
    coverage: float = 0.55,
    seed: int = 0,
    radius_frac: float = 0.04,
) -> Photo:
    """Place ``card`` on clutter with an in-plane rotation (degrees, clockwise) and perspective."""
    rng = np.random.default_rng(seed)
    width, height = size
    ch, cw = card.shape[:2]
    # Rounded corners: paint the card's corners with a key colour we mask out.
    mask = np.zeros((ch, cw), np.uint8)
    r = int(radius_frac * cw)
    cv2.rectangle(mask, (r, 0), (cw - 1 - r, ch - 1), 255, -1)
    cv2.rectangle(mask, (0, r), (cw - 1, ch - 1 - r), 255, -1)
    for cx, cy in ((r, r), (cw - 1 - r, r), (cw - 1 - r, ch - 1 - r), (r, ch - 1 - r)):
        cv2.circle(mask, (cx, cy), r, 255, -1)
    target_w = coverage * min(width, height * cw / ch)
    rect = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float64) * [target_w / 2, target_w * ch / cw / 2]
    theta = np.deg2rad(rotation)
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    pts = rect @ rot.T
    pts += rng.uniform(-perspective, perspective, (4, 2)) * target_w
    pts += [width / 2 + rng.uniform(-0.05, 0.05) * width, height / 2 + rng.uniform(-0.05, 0.05) * height]
    src = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float32)
    homography = cv2.getPerspectiveTransform(src, pts.astype(np.float32))
    warped = cv2.warpPerspective(card, homography, (width, height), flags=cv2.INTER_LINEAR)
    warped_mask = cv2.warpPerspective(mask, homography, (width, height), flags=cv2.INTER_LINEAR)
    bg = clutter(width, height, seed + 1000)
    alpha = (warped_mask.astype(np.float32) / 255.0)[:, :, None]
    image = (alpha * warped + (1 - alpha) * bg).astype(np.uint8)
    # Uneven lighting and sensor noise.
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    light = 0.85 + 0.2 * (xx / width) - 0.1 * (yy / height)
    image = np.clip(image * light[:, :, None] + rng.normal(0, 3, image.shape), 0, 255).astype(np.uint8)
    return Photo(image=image, quad=pts, card=card)
