"""The deterministic driver: document ``index`` of seed ``seed`` is always the same document.

Each document draws from its own generators, derived from ``(seed, index)`` with
:class:`numpy.random.SeedSequence`, so a document does not depend on how many others are
generated or in which process; sets can be produced in parallel.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from idstream.annotations.format import AnnotatedLine, Annotation, save_annotation
from idstream.synth.distort import DISTORTIONS, distort
from idstream.synth.layouts import LAYOUTS, get_layout, layout_names
from idstream.synth.render import render_card
from idstream.synth.values import COUNTRIES, make_holder

__all__ = [
    "GENERATOR_VERSION",
    "KINDS",
    "GeneratedDocument",
    "SynthConfig",
    "generate_document",
    "write_dataset",
]

#: Bump when the same seed would produce different documents (part of ``make data``'s stamp).
GENERATOR_VERSION = 2

#: Document kinds the generator knows.
KINDS: tuple[str, ...] = ("id_card", "passport", "driving_licence")


@dataclass(frozen=True, slots=True)
class SynthConfig:
    """What to generate.

    Attributes:
        seed: the set's seed.
        layouts: layout names to draw from (uniformly).
        distort: distortion weights, e.g. ``{"none": 1.0}`` or ``{"scan": 0.4, "photo": 0.6}``.
        image_format: ``jpg`` or ``png``.
    """

    seed: int
    layouts: tuple[str, ...]
    distort: tuple[tuple[str, float], ...] = (("none", 1.0),)
    image_format: str = "jpg"

    @classmethod
    def create(
        cls,
        seed: int,
        *,
        kinds: Sequence[str] | None = None,
        layouts: Sequence[str] | None = None,
        exclude_layouts: Sequence[str] = (),
        distort: str | dict[str, float] = "none",
        image_format: str = "jpg",
    ) -> SynthConfig:
        """Validate the arguments and build a config.

        Raises:
            ValueError: unknown kind, layout, distortion or image format, or no layout left.
        """
        for kind in kinds or ():
            if kind not in KINDS:
                raise ValueError(f"unknown document kind {kind!r}; expected one of {list(KINDS)}")
        names = list(layouts) if layouts else list(layout_names(tuple(kinds) if kinds else None))
        for name in [*names, *exclude_layouts]:
            get_layout(name)
        if kinds:
            names = [n for n in names if LAYOUTS[n].kind in kinds]
        names = [n for n in names if n not in set(exclude_layouts)]
        if not names:
            raise ValueError("no layout left to generate from")
        weights = {distort: 1.0} if isinstance(distort, str) else dict(distort)
        for name, weight in weights.items():
            if name not in DISTORTIONS:
                raise ValueError(f"unknown distortion {name!r}; expected one of {list(DISTORTIONS)}")
            if weight < 0:
                raise ValueError("distortion weights must be >= 0")
        if sum(weights.values()) <= 0:
            raise ValueError("distortion weights must not all be 0")
        if image_format not in ("jpg", "png"):
            raise ValueError(f"unknown image format {image_format!r}; expected jpg or png")
        return cls(seed, tuple(sorted(names)), tuple(sorted(weights.items())), image_format)


@dataclass(slots=True)
class GeneratedDocument:
    """A generated image (RGB, ``height x width x 3``) and its annotation."""

    image: np.ndarray
    annotation: Annotation
    jpeg_quality: int


def generate_document(config: SynthConfig, index: int) -> GeneratedDocument:
    """Generate document ``index`` of ``config`` (pure function of both).

    Args:
        config: the set's configuration.
        index: the document's index (0-based).
    """
    choose, card_seed, distort_seed = np.random.SeedSequence([config.seed, index]).spawn(3)
    rng = np.random.default_rng(choose)
    layout = get_layout(config.layouts[int(rng.integers(len(config.layouts)))])
    names = [n for n, _ in config.distort]
    weights = np.array([w for _, w in config.distort], dtype=np.float64)
    distortion = names[int(rng.choice(len(names), p=weights / weights.sum()))]
    card_rng = np.random.default_rng(card_seed)
    countries = [c for c in COUNTRIES if not layout.countries or c.code in layout.countries]
    holder = make_holder(card_rng, countries[int(card_rng.integers(len(countries)))])
    card = render_card(layout, holder, card_rng)
    result = distort(
        card.image, [line.quad for line in card.lines], distortion, np.random.default_rng(distort_seed)
    )
    h, w = result.image.shape[:2]
    name = f"{index:06d}.{config.image_format}"
    annotation = Annotation(
        image=name,
        image_size=(w, h),
        kind=card.kind,
        schema="identity",
        layout=card.layout,
        lines=[
            AnnotatedLine(quad, line.text, line.label)
            for quad, line in zip(result.quads, card.lines, strict=True)
        ],
        fields=card.fields,
        mrz=card.mrz,
        distortion=result.info,
        meta={"generator": "idstream.synth", "seed": config.seed, "index": index, **card.style},
    )
    return GeneratedDocument(result.image, annotation, result.jpeg_quality)


def _write_one(args: tuple[SynthConfig, int, str]) -> str:
    config, index, out = args
    doc = generate_document(config, index)
    assert doc.annotation.image is not None
    path = Path(out) / doc.annotation.image
    bgr = cv2.cvtColor(doc.image, cv2.COLOR_RGB2BGR)
    params = [cv2.IMWRITE_JPEG_QUALITY, doc.jpeg_quality] if config.image_format == "jpg" else []
    if config.image_format == "png" and doc.jpeg_quality < 95:  # keep the compression artefacts
        ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, doc.jpeg_quality])
        decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else None
        if decoded is not None:
            bgr = decoded
    if not cv2.imwrite(str(path), bgr, params):
        raise OSError(f"could not write {path}")
    save_annotation(doc.annotation, path.with_suffix(".json"))
    return str(path)


def write_dataset(
    config: SynthConfig, out: str | Path, indices: Iterable[int], *, workers: int = 1
) -> list[str]:
    """Write the documents ``indices`` of ``config`` into ``out`` (image + JSON each).

    Args:
        config: the set's configuration.
        out: output folder (created).
        indices: document indices to write.
        workers: processes to use (1: in this process).

    Returns:
        The image paths, in index order.
    """
    Path(out).mkdir(parents=True, exist_ok=True)
    jobs = [(config, int(i), str(out)) for i in indices]
    if workers <= 1 or len(jobs) < 2:
        return [_write_one(job) for job in jobs]
    import multiprocessing

    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ctx.Pool(workers) as pool:
        return list(pool.imap(_write_one, jobs, chunksize=8))
