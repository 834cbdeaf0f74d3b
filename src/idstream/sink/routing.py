"""Review routing: decide per document whether a person must look at it.

A :class:`ReviewPolicy` (loaded from a TOML file, see ``review_policy.toml``
beside this module) holds confidence thresholds per field and per document
type, the required fields of each document type and the audit sample rate.
:func:`route_review` applies it to a :class:`~idstream.document.DocumentResult`
and returns a :class:`~idstream.document.Review` with machine-readable reasons:

* ``low_confidence:<field>``: a field below its confidence threshold;
* ``missing:<field>``: a required field of the document type is absent or empty;
* ``check_failed:<check>``: a check failed (MRZ check digits, printed-vs-MRZ, expiry...);
* ``quality:<flag>``: preprocessing flagged an image quality problem (blur, glare...);
* ``audit_sample``: the document would be auto-approved but was drawn for an audit.

The audit draw hashes the document id with a salt, so a redelivered result gets
the same decision, and no random state is shared between workers.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from idstream.document import DocumentResult, Review
from idstream.errors import ConfigurationError

__all__ = [
    "AUTO_APPROVED",
    "DEFAULT_POLICY_FILE",
    "TO_REVIEW",
    "ReviewPolicy",
    "TypePolicy",
    "audit_draw",
    "route_review",
]

AUTO_APPROVED = "auto_approved"
TO_REVIEW = "to_review"

#: Name of the policy file shipped with the package (in :mod:`idstream.sink`).
DEFAULT_POLICY_FILE = "review_policy.toml"

_FALLBACK_TYPE = "unknown"


def _threshold_map(data: Any, where: str) -> dict[str, float]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ConfigurationError(f"review policy: {where} must be a table of field = threshold")
    out: dict[str, float] = {}
    for name, value in data.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigurationError(f"review policy: {where}.{name} must be a number")
        if not 0.0 <= float(value) <= 1.0:
            raise ConfigurationError(f"review policy: {where}.{name} must be in [0, 1]")
        out[str(name)] = float(value)
    return out


def _name_list(data: Any, where: str) -> tuple[str, ...]:
    if data is None:
        return ()
    if not isinstance(data, list) or not all(isinstance(v, str) for v in data):
        raise ConfigurationError(f"review policy: {where} must be a list of names")
    return tuple(data)


@dataclass(frozen=True, slots=True)
class TypePolicy:
    """The part of a policy specific to one document type.

    Attributes:
        required: fields that must be present and non-empty.
        thresholds: confidence thresholds per field (``"default"`` for the type's default).
    """

    required: tuple[str, ...] = ()
    thresholds: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReviewPolicy:
    """A configurable review policy.

    Attributes:
        thresholds: confidence thresholds per field for every document type;
            the key ``"default"`` applies to fields without their own.
        document_types: per document type, required fields and overriding thresholds.
            Types that are not listed use the ``"unknown"`` entry when there is one.
        audit_rate: fraction of otherwise auto-approved documents sent to review.
        audit_salt: salt of the deterministic audit draw.
        ignore_checks: check names whose failure does not send to review.
        ignore_quality_flags: quality flags that do not send to review.
    """

    thresholds: Mapping[str, float] = field(default_factory=lambda: {"default": 0.8})
    document_types: Mapping[str, TypePolicy] = field(default_factory=dict)
    audit_rate: float = 0.02
    audit_salt: str = "idstream-audit-v1"
    ignore_checks: frozenset[str] = frozenset()
    ignore_quality_flags: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not 0.0 <= self.audit_rate <= 1.0:
            raise ConfigurationError("review policy: audit_rate must be in [0, 1]")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReviewPolicy:
        """Build a policy from the parsed content of a policy file.

        Args:
            data: the mapping read from TOML or JSON.

        Raises:
            ConfigurationError: on an unknown key or a value of the wrong type.
        """
        known = {
            "thresholds",
            "document_types",
            "audit_rate",
            "audit_salt",
            "ignore_checks",
            "ignore_quality_flags",
        }
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigurationError(f"review policy: unknown keys {unknown}")
        thresholds = {"default": 0.8, **_threshold_map(data.get("thresholds"), "thresholds")}
        types: dict[str, TypePolicy] = {}
        raw_types = data.get("document_types", {})
        if not isinstance(raw_types, Mapping):
            raise ConfigurationError("review policy: document_types must be a table")
        for name, spec in raw_types.items():
            if not isinstance(spec, Mapping) or set(spec) - {"required", "thresholds"}:
                raise ConfigurationError(
                    f"review policy: document_types.{name} accepts required and thresholds"
                )
            types[str(name)] = TypePolicy(
                required=_name_list(spec.get("required"), f"document_types.{name}.required"),
                thresholds=_threshold_map(spec.get("thresholds"), f"document_types.{name}.thresholds"),
            )
        rate = data.get("audit_rate", 0.02)
        if isinstance(rate, bool) or not isinstance(rate, int | float):
            raise ConfigurationError("review policy: audit_rate must be a number")
        return cls(
            thresholds=thresholds,
            document_types=types,
            audit_rate=float(rate),
            audit_salt=str(data.get("audit_salt", "idstream-audit-v1")),
            ignore_checks=frozenset(_name_list(data.get("ignore_checks"), "ignore_checks")),
            ignore_quality_flags=frozenset(
                _name_list(data.get("ignore_quality_flags"), "ignore_quality_flags")
            ),
        )

    @classmethod
    def from_file(cls, path: str | Path) -> ReviewPolicy:
        """Load a policy from a ``.toml`` or ``.json`` file.

        Raises:
            ConfigurationError: when the file is missing, unreadable or invalid.
        """
        path = Path(path)
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise ConfigurationError(f"review policy: cannot read {path}: {exc.strerror}") from exc
        try:
            data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"review policy: {path} is not valid: {exc}") from exc
        if not isinstance(data, dict):
            raise ConfigurationError(f"review policy: {path} must hold a table")
        return cls.from_dict(data)

    @classmethod
    def default(cls) -> ReviewPolicy:
        """The policy shipped with idstream (``idstream/sink/review_policy.toml``)."""
        text = resources.files("idstream.sink").joinpath(DEFAULT_POLICY_FILE).read_text(encoding="utf-8")
        return cls.from_dict(tomllib.loads(text))

    def type_policy(self, document_type: str) -> TypePolicy:
        """The per-type part for ``document_type`` (falls back to ``"unknown"``, then to nothing)."""
        found = self.document_types.get(document_type) or self.document_types.get(_FALLBACK_TYPE)
        return found if found is not None else TypePolicy()

    def threshold(self, document_type: str, field_name: str) -> float:
        """The confidence threshold of ``field_name`` on a document of ``document_type``."""
        per_type = self.type_policy(document_type).thresholds
        for table, key in ((per_type, field_name), (per_type, "default"), (self.thresholds, field_name)):
            if key in table:
                return table[key]
        return self.thresholds.get("default", 0.8)

    def required_fields(self, document_type: str) -> tuple[str, ...]:
        """The fields a document of ``document_type`` must have."""
        return self.type_policy(document_type).required


def audit_draw(document_id: str, salt: str) -> float:
    """A uniform number in [0, 1) determined by ``(salt, document_id)``."""
    digest = hashlib.sha256(f"{salt}\x00{document_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def _quality_flags(quality: Mapping[str, Any]) -> Iterable[str]:
    flags = quality.get("quality_flags", quality.get("flags", []))
    if isinstance(flags, list | tuple):
        return [str(f) for f in flags]
    return []


def route_review(result: DocumentResult, policy: ReviewPolicy) -> Review:
    """Decide whether ``result`` is auto-approved or sent to review, and why.

    Args:
        result: the extracted document (its own ``review`` is ignored).
        policy: thresholds, required fields and audit rate.

    Returns:
        ``Review("auto_approved", [])``, or ``Review("to_review", reasons)`` with
        the reasons in a stable order (missing, low confidence, checks, quality, audit).
    """
    reasons: list[str] = []
    doc_type = result.document_type
    for name in policy.required_fields(doc_type):
        fv = result.fields.get(name)
        if fv is None or not fv.value.strip():
            reasons.append(f"missing:{name}")
    for name, fv in result.fields.items():
        if fv.value.strip() and fv.confidence < policy.threshold(doc_type, name):
            reasons.append(f"low_confidence:{name}")
    for check in result.checks:
        if check.status == "fail" and check.name not in policy.ignore_checks:
            reasons.append(f"check_failed:{check.name}")
    for flag in _quality_flags(result.quality):
        if flag not in policy.ignore_quality_flags:
            reasons.append(f"quality:{flag}")
    reasons = list(dict.fromkeys(reasons))
    if reasons:
        return Review(status=TO_REVIEW, reasons=reasons)
    if policy.audit_rate > 0.0 and audit_draw(result.document_id, policy.audit_salt) < policy.audit_rate:
        return Review(status=TO_REVIEW, reasons=["audit_sample"])
    return Review(status=AUTO_APPROVED, reasons=[])
