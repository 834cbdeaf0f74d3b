"""Distortions that imitate how people scan and photograph cards.

Every distortion is a homography ``H`` from card pixels to output pixels followed by
photometric changes (which move no pixel), so line quads are mapped through ``H``
exactly. The annotation's ``distortion`` records:

* ``kind``: ``none``, ``scan`` or ``photo``;
* ``rotation``: the card's quarter-turn orientation in the output, clockwise
  (90: the card's top edge is on the right of the image; rotating the image
  ``rotation`` degrees counter-clockwise makes the card upright);
* ``skew_deg``: the remaining in-plane angle, degrees clockwise (the card's total angle
  is ``rotation + skew_deg``);
* ``card_quad``: the card corners in the output image, clockwise from the card's own
  top-left corner;
* ``homography``: 3x3 row-major, card pixels -> output pixels; ``card_size``;
* the photometric parameters (``blur_sigma``, ``noise_sigma``, ``glare``, ``light``,
  ``jpeg_quality``...).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

__all__ = ["DISTORTIONS", "Distorted", "distort", "map_points"]

DISTORTIONS: tuple[str, ...] = ("none", "scan", "photo")


@dataclass(slots=True)
class Distorted:
    """Output image, mapped quads, what was done, and the JPEG quality to save with."""

    image: np.ndarray
    quads: list[list[list[float]]]
    info: dict[str, Any]
    jpeg_quality: int


def _corners(w: int, h: int) -> np.ndarray:
    return np.array([[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]], dtype=np.float64)


def map_points(points: np.ndarray, homography: np.ndarray) -> np.ndarray:
    """Map ``N x 2`` points through a 3x3 homography."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    ones = np.ones((len(pts), 1))
    out = np.hstack([pts, ones]) @ homography.T
    return np.asarray(out[:, :2] / out[:, 2:3])


@functools.lru_cache(maxsize=4)
def _card_mask(w: int, h: int) -> np.ndarray:
    """Card alpha with rounded corners (radius 3.18 mm at 10 px/mm)."""
    r = 32 if w < 1000 else 40
    mask = np.zeros((h, w), dtype=np.uint8)
    cv2.rectangle(mask, (r, 0), (w - 1 - r, h - 1), 255, -1)
    cv2.rectangle(mask, (0, r), (w - 1, h - 1 - r), 255, -1)
    for cx, cy in ((r, r), (w - 1 - r, r), (w - 1 - r, h - 1 - r), (r, h - 1 - r)):
        cv2.circle(mask, (cx, cy), r, 255, -1, cv2.LINE_AA)
    mask.setflags(write=False)
    return mask


def _placement(
    w: int,
    h: int,
    angle_deg: float,
    out_w: int,
    out_h: int,
    fill: float,
    jitter: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Destination corners of the card: rotated, scaled to ``fill`` of the output, perspective-jittered."""
    theta = math.radians(angle_deg)
    c, s = math.cos(theta), math.sin(theta)
    centred = _corners(w, h) - [w / 2, h / 2]
    rot = centred @ np.array([[c, s], [-s, c]])
    span = rot.max(axis=0) - rot.min(axis=0)
    scale = fill * min(out_w / span[0], out_h / span[1])
    dst = rot * scale
    size = min(w, h) * scale
    dst = dst + rng.uniform(-jitter, jitter, size=(4, 2)) * size
    lo, hi = dst.min(axis=0), dst.max(axis=0)
    room = np.array([out_w, out_h], dtype=np.float64) - (hi - lo)
    if (room < 2).any():  # jitter pushed it out: shrink
        shrink = 0.98 * min(out_w / (hi - lo)[0], out_h / (hi - lo)[1])
        dst, lo, hi = dst * shrink, lo * shrink, hi * shrink
        room = np.array([out_w, out_h], dtype=np.float64) - (hi - lo)
    offset = -lo + rng.uniform(0.1, 0.9, size=2) * np.maximum(room, 0)
    return np.asarray(dst + offset)


def _clutter(out_w: int, out_h: int, rng: np.random.Generator) -> np.ndarray:
    """A cluttered, out-of-focus background (desk, table cloth, papers, objects)."""
    sw, sh = out_w // 2, out_h // 2
    base = rng.integers(30, 220, size=3)
    base = (0.6 * base + 0.4 * base.mean()).astype(np.int64)  # muted: desks, cloth, hands
    img: np.ndarray = np.empty((sh, sw, 3), dtype=np.uint8)
    img[:] = base.astype(np.uint8)
    if rng.random() < 0.5:  # wood-grain / cloth stripes
        xs = np.arange(sw, dtype=np.float32)
        stripes = (18 * np.sin(xs / rng.uniform(3, 30)) + 10 * np.sin(xs / rng.uniform(30, 90))).astype(
            np.int16
        )
        img = np.clip(img.astype(np.int16) + stripes[None, :, None], 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(6, 22))):
        raw = rng.integers(0, 256, size=3)
        colour = tuple(int(v) for v in 0.55 * raw + 0.45 * raw.mean())
        x, y = int(rng.integers(-sw // 4, sw)), int(rng.integers(-sh // 4, sh))
        shape = int(rng.integers(4))
        if shape == 0:
            cv2.rectangle(
                img,
                (x, y),
                (x + int(rng.integers(20, sw // 2)), y + int(rng.integers(20, sh // 2))),
                colour,
                -1,
            )
        elif shape == 1:
            cv2.circle(img, (x, y), int(rng.integers(8, sh // 3)), colour, -1, cv2.LINE_AA)
        elif shape == 2:
            cv2.line(
                img,
                (x, y),
                (int(rng.integers(0, sw)), int(rng.integers(0, sh))),
                colour,
                int(rng.integers(1, 10)),
                cv2.LINE_AA,
            )
        else:  # a sheet of paper with text-like strokes
            pw, ph = int(rng.integers(60, sw // 2)), int(rng.integers(60, sh // 2))
            cv2.rectangle(img, (x, y), (x + pw, y + ph), (235, 235, 230), -1)
            for k in range(y + 8, y + ph - 6, 9):
                cv2.line(img, (x + 6, k), (x + 6 + int(rng.integers(pw // 3, pw - 10)), k), (90, 90, 90), 1)
    img = cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.5, 3.0)))
    return cv2.resize(img, (out_w, out_h), interpolation=cv2.INTER_LINEAR)


def _composite(card: np.ndarray, bg: np.ndarray, hom: np.ndarray) -> np.ndarray:
    h, w = card.shape[:2]
    out_h, out_w = bg.shape[:2]
    warped = cv2.warpPerspective(card, hom, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    alpha = cv2.warpPerspective(_card_mask(w, h), hom, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=0)
    a = alpha.astype(np.float32) * (1.0 / 255.0)
    return np.asarray(cv2.blendLinear(warped, bg, a, 1.0 - a))


@functools.lru_cache(maxsize=1)
def _noise_bank() -> np.ndarray:
    """A fixed field of unit Gaussian noise; each photo takes a random window of it."""
    bank = np.random.default_rng(1234).standard_normal((1400, 1400, 3), dtype=np.float32)
    bank.setflags(write=False)
    return bank


def _scan(card: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    h, w = card.shape[:2]
    skew = float(rng.uniform(-3.0, 3.0))
    margin = rng.uniform(0.04, 0.2, size=2)
    scale = float(rng.uniform(0.8, 1.1))
    out_w, out_h = int(w * scale * (1 + 2 * margin[0])), int(h * scale * (1 + 2 * margin[1]))
    fill = 1.0 / (1 + 2 * float(margin.max()))
    dst = _placement(w, h, skew, out_w, out_h, fill, 0.0, rng)
    hom = cv2.getPerspectiveTransform(_corners(w, h).astype(np.float32), dst.astype(np.float32)).astype(
        np.float64
    )
    bed = np.full((out_h, out_w, 3), int(rng.integers(225, 256)), dtype=np.uint8)
    img = _composite(card, bed, hom)
    sigma = float(rng.uniform(0.0, 1.2))
    if sigma > 0.3:
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    info = {"skew_deg": round(skew, 3), "rotation": 0, "blur_sigma": round(sigma, 3), "background": "scanner"}
    return img, hom, info


def _photo_pose(rng: np.random.Generator) -> tuple[int, int, int, float, float]:
    """Output size, quarter turn, skew and perspective strength of a photo."""
    out_w, out_h = (1280, 960) if rng.random() < 0.6 else (960, 1280)
    rotation = int(rng.choice([0, 90, 180, 270], p=[0.55, 0.15, 0.15, 0.15]))
    skew = float(rng.uniform(-12.0, 12.0))
    perspective = float(rng.uniform(0.0, 0.08))
    return out_w, out_h, rotation, skew, perspective


def _photo(card: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    h, w = card.shape[:2]
    out_w, out_h, rotation, skew, perspective = _photo_pose(rng)
    dst = _placement(w, h, rotation + skew, out_w, out_h, float(rng.uniform(0.5, 0.9)), perspective, rng)
    hom = cv2.getPerspectiveTransform(_corners(w, h).astype(np.float32), dst.astype(np.float32)).astype(
        np.float64
    )
    img = _composite(card, _clutter(out_w, out_h, rng), hom)
    sigma = float(rng.uniform(0.0, 2.0))  # defocus
    if sigma > 0.3:
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    # uneven light: a smooth gain field (low-resolution gradient + vignette, upsampled)
    gx, gy = np.meshgrid(np.linspace(-1, 1, 64, dtype=np.float32), np.linspace(-1, 1, 48, dtype=np.float32))
    direction = rng.uniform(-1, 1, size=2)
    strength = float(rng.uniform(0.05, 0.35))
    gain = 1.0 + strength * (direction[0] * gx + direction[1] * gy) - 0.15 * strength * (gx**2 + gy**2)
    gain *= float(rng.uniform(0.75, 1.1))
    glare = bool(rng.random() < 0.45)
    offset = np.zeros_like(gain)
    if glare:  # a specular spot on the card
        centre = map_points(np.array([[rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h]]), hom)[0]
        radius = float(rng.uniform(0.04, 0.12)) * max(out_w, out_h)
        sx, sy = (gx + 1) / 2 * out_w, (gy + 1) / 2 * out_h
        blob = np.exp(-((sx - centre[0]) ** 2 + (sy - centre[1]) ** 2) / (2 * radius**2))
        offset = (rng.uniform(80, 200) * blob).astype(np.float32)
    size = (out_w, out_h)
    gain_full = cv2.resize(gain.astype(np.float32), size, interpolation=cv2.INTER_CUBIC)
    offset_full = cv2.resize(offset, size, interpolation=cv2.INTER_CUBIC)
    noise = float(rng.uniform(1.0, 8.0))
    bank = _noise_bank()
    y0, x0 = int(rng.integers(0, bank.shape[0] - out_h + 1)), int(rng.integers(0, bank.shape[1] - out_w + 1))
    out = img.astype(np.float32)
    out *= gain_full[:, :, None]
    out += offset_full[:, :, None]
    out += noise * bank[y0 : y0 + out_h, x0 : x0 + out_w]
    np.clip(out, 0, 255, out=out)
    img = out.astype(np.uint8)
    info = {
        "rotation": rotation, "skew_deg": round(skew, 3), "perspective": round(perspective, 4),
        "light": round(strength, 3), "glare": glare, "blur_sigma": round(sigma, 3),
        "noise_sigma": round(noise, 3), "background": "clutter",
    }  # fmt: skip
    return img, hom, info


def distort(
    image: np.ndarray, quads: list[list[list[float]]], kind: str, rng: np.random.Generator
) -> Distorted:
    """Apply distortion ``kind`` to a card image (RGB) and its line quads.

    Args:
        image: the card, ``height x width x 3``.
        quads: line quads in card pixels.
        kind: ``none``, ``scan`` or ``photo``.
        rng: the document's distortion generator.

    Raises:
        ValueError: for an unknown kind.
    """
    if kind not in DISTORTIONS:
        raise ValueError(f"unknown distortion {kind!r}; expected one of {list(DISTORTIONS)}")
    h, w = image.shape[:2]
    if kind == "none":
        hom = np.eye(3)
        img, extra, quality = image, {"rotation": 0, "skew_deg": 0.0}, 95
    elif kind == "scan":
        img, hom, extra = _scan(image, rng)
        quality = int(rng.integers(55, 91))
    else:
        img, hom, extra = _photo(image, rng)
        quality = int(rng.integers(45, 86))
    mapped = [[[float(x), float(y)] for x, y in map_points(np.array(q), hom)] for q in quads]
    corners = map_points(_corners(w, h), hom)
    info: dict[str, Any] = {
        "kind": kind,
        **extra,
        "card_quad": [[round(float(x), 2), round(float(y), 2)] for x, y in corners],
        "card_size": [w, h],
        "homography": [[float(v) for v in row] for row in hom / hom[2, 2]],
        "jpeg_quality": quality,
    }
    return Distorted(np.ascontiguousarray(img), mapped, info, quality)
