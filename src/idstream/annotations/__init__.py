"""The idstream annotation format: one JSON file next to each image (see ``docs/annotations.md``)."""

from idstream.annotations.format import (
    ANNOTATION_VERSION,
    IDENTITY_LABELS,
    RECEIPT_LABELS,
    AnnotatedLine,
    Annotation,
    allowed_labels,
    annotation_paths,
    dump_annotation,
    load_annotation,
    save_annotation,
)

__all__ = [
    "ANNOTATION_VERSION",
    "IDENTITY_LABELS",
    "RECEIPT_LABELS",
    "AnnotatedLine",
    "Annotation",
    "allowed_labels",
    "annotation_paths",
    "dump_annotation",
    "load_annotation",
    "save_annotation",
]
