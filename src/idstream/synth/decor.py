"""Card decoration: guilloche-like backgrounds, photo and signature placeholders."""

from __future__ import annotations

import functools

import cv2
import numpy as np

__all__ = ["BACKGROUND_VARIANTS", "background", "draw_photo", "draw_signature"]

#: Number of distinct background designs per card size.
BACKGROUND_VARIANTS = 24

_BASES = (
    (236, 242, 250), (244, 238, 226), (232, 246, 236), (248, 236, 240), (240, 240, 240), (230, 238, 246),
    (250, 246, 228), (238, 232, 248),
)  # fmt: skip


@functools.lru_cache(maxsize=48)
def _background(width: int, height: int, variant: int) -> np.ndarray:
    rng = np.random.default_rng(10_000 + variant)
    base = np.array(_BASES[variant % len(_BASES)], dtype=np.float32)
    tint = base - rng.uniform(10, 40, size=3).astype(np.float32)
    ramp = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    img = base[None, None, :] * (1 - 0.35 * ramp) + tint[None, None, :] * (0.35 * ramp)
    img = np.repeat(img, width, axis=1)
    img = np.ascontiguousarray(np.clip(img, 0, 255).astype(np.uint8))
    line = tuple(int(v) for v in np.clip(base - rng.uniform(25, 70, size=3), 0, 255))
    xs = np.arange(0, width + 8, 6, dtype=np.float32)
    # wave bands
    period = rng.uniform(60, 200)
    amp = rng.uniform(4, 18)
    step = int(rng.integers(7, 16))
    for k, y0 in enumerate(range(-20, height + 20, step)):
        ys = y0 + amp * np.sin(2 * np.pi * xs / period + 0.35 * k)
        pts = np.stack([xs, ys], axis=1).astype(np.int32)
        cv2.polylines(img, [pts], False, line, 1, cv2.LINE_AA)
    # rosettes
    for _ in range(int(rng.integers(1, 4))):
        cx, cy = rng.uniform(0.2, 0.8) * width, rng.uniform(0.2, 0.8) * height
        radius = rng.uniform(0.12, 0.3) * height
        lobes = int(rng.integers(5, 13))
        t = np.linspace(0, 2 * np.pi, 720, dtype=np.float32)
        colour = tuple(int(v) for v in np.clip(base - rng.uniform(20, 60, size=3), 0, 255))
        for j in range(int(rng.integers(4, 9))):
            r = radius * (0.55 + 0.06 * j) + radius * 0.18 * np.sin(lobes * t + j * 0.4)
            pts = np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], axis=1).astype(np.int32)
            cv2.polylines(img, [pts], True, colour, 1, cv2.LINE_AA)
    img.setflags(write=False)
    return img


def background(width: int, height: int, variant: int) -> np.ndarray:
    """A writable copy of background design ``variant`` (RGB, ``height x width x 3``)."""
    return _background(width, height, variant % BACKGROUND_VARIANTS).copy()


def draw_photo(img: np.ndarray, box: tuple[int, int, int, int], rng: np.random.Generator) -> None:
    """Draw a portrait placeholder (head and shoulders) into ``box`` (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    bg = tuple(int(v) for v in rng.integers(170, 235, size=3))
    cv2.rectangle(img, (x0, y0), (x1, y1), bg, -1)
    w, h = x1 - x0, y1 - y0
    tone = tuple(int(v) for v in rng.integers(60, 200, size=1).repeat(3) + rng.integers(-20, 20, size=3))
    cloth = tuple(int(v) for v in rng.integers(20, 120, size=3))
    cx = x0 + w // 2 + int(rng.integers(-w // 12, w // 12 + 1))
    cv2.ellipse(img, (cx, y1 + h // 10), (int(w * 0.45), int(h * 0.38)), 0, 180, 360, cloth, -1, cv2.LINE_AA)
    cv2.ellipse(
        img, (cx, y0 + int(h * 0.42)), (int(w * 0.24), int(h * 0.26)), 0, 0, 360, tone, -1, cv2.LINE_AA
    )
    cv2.rectangle(img, (x0, y0), (x1, y1), (90, 90, 90), 1)


def draw_signature(img: np.ndarray, box: tuple[int, int, int, int], rng: np.random.Generator) -> None:
    """Draw a scribbled signature inside ``box``."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    t = np.linspace(0, 1, 120)
    xs = x0 + w * (0.08 + 0.84 * t)
    ys: np.ndarray = np.full_like(t, y0 + h * 0.5)
    for _ in range(3):
        ys = ys + h * rng.uniform(0.05, 0.2) * np.sin(2 * np.pi * (rng.uniform(1, 6) * t + rng.uniform(0, 1)))
    pts = np.stack([xs, np.clip(ys, y0 + 2, y1 - 2)], axis=1).astype(np.int32)
    colour = (int(rng.integers(0, 40)), int(rng.integers(0, 60)), int(rng.integers(80, 160)))
    cv2.polylines(img, [pts], False, colour, 2, cv2.LINE_AA)
