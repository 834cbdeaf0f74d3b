"""Synthetic identity documents with exact annotations (``idstream synth``).

Typical use::

    from idstream.synth import SynthConfig, generate_document, write_dataset

    config = SynthConfig.create(seed=1, kinds=["passport"], distort="photo")
    doc = generate_document(config, 0)   # doc.image (RGB array), doc.annotation
    write_dataset(config, "data/synth/demo", range(100), workers=2)
"""

from idstream.synth.generate import KINDS, GeneratedDocument, SynthConfig, generate_document, write_dataset
from idstream.synth.layouts import LAYOUTS, Layout, get_layout, layout_names

__all__ = [
    "KINDS",
    "LAYOUTS",
    "GeneratedDocument",
    "Layout",
    "SynthConfig",
    "generate_document",
    "get_layout",
    "layout_names",
    "write_dataset",
]
