"""Review routing: one test per reason, audit determinism and rate, config per type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from idstream.document import Check, DocumentResult, FieldValue
from idstream.errors import ConfigurationError
from idstream.sink.routing import ReviewPolicy, audit_draw, route_review

BOX = ((0.0, 0.0), (10.0, 0.0), (10.0, 5.0), (0.0, 5.0))
PASSPORT_FIELDS = (
    "document_number",
    "surname",
    "given_names",
    "nationality",
    "date_of_birth",
    "sex",
    "date_of_expiry",
)


def _policy(**overrides: object) -> ReviewPolicy:
    data: dict[str, object] = {
        "audit_rate": 0.0,
        "thresholds": {"default": 0.8, "surname": 0.9},
        "document_types": {
            "passport": {"required": list(PASSPORT_FIELDS)},
            "driving_licence": {"required": ["surname"], "thresholds": {"surname": 0.5, "default": 0.6}},
        },
    }
    data.update(overrides)
    return ReviewPolicy.from_dict(data)


def _result(doc_id: str = "doc-1", doc_type: str = "passport", confidence: float = 0.99) -> DocumentResult:
    fields = {name: FieldValue(f"V{name}", f"V{name}", confidence, BOX) for name in PASSPORT_FIELDS}
    return DocumentResult(
        document_id=doc_id,
        document_type=doc_type,
        fields=fields,
        checks=[Check("mrz_check_digits", "pass"), Check("expiry", "pass")],
    )


def test_confident_complete_document_is_auto_approved() -> None:
    review = route_review(_result(), _policy())
    assert review.status == "auto_approved"
    assert review.reasons == []


def test_low_confidence_field_is_reviewed_with_its_name() -> None:
    result = _result()
    result.fields["given_names"].confidence = 0.79
    review = route_review(result, _policy())
    assert review.status == "to_review"
    assert review.reasons == ["low_confidence:given_names"]


def test_field_threshold_overrides_default() -> None:
    result = _result(confidence=0.85)  # above default 0.8, below surname's 0.9
    assert route_review(result, _policy()).reasons == ["low_confidence:surname"]


def test_missing_and_empty_required_fields() -> None:
    result = _result()
    del result.fields["date_of_birth"]
    result.fields["sex"].value = " "
    review = route_review(result, _policy())
    assert review.reasons == ["missing:date_of_birth", "missing:sex"]


def test_failed_checks_and_skipped_checks() -> None:
    result = _result()
    result.checks = [
        Check("mrz_check_digits", "fail", fields=["document_number"]),
        Check("printed_vs_mrz", "fail"),
        Check("expiry", "fail", detail="expired"),
        Check("mrz_present", "skipped"),
    ]
    review = route_review(result, _policy())
    assert review.reasons == [
        "check_failed:mrz_check_digits",
        "check_failed:printed_vs_mrz",
        "check_failed:expiry",
    ]


def test_ignored_check_does_not_route() -> None:
    result = _result()
    result.checks = [Check("expiry", "fail")]
    assert route_review(result, _policy(ignore_checks=["expiry"])).status == "auto_approved"


def test_quality_flags_route() -> None:
    result = _result()
    result.quality = {"blur": 0.9, "quality_flags": ["blur", "glare"]}
    assert route_review(result, _policy()).reasons == ["quality:blur", "quality:glare"]
    assert route_review(result, _policy(ignore_quality_flags=["glare"])).reasons == ["quality:blur"]


def test_quality_flags_under_the_pipeline_key() -> None:
    result = _result()
    result.quality = {"blur": 0.9, "flags": ["low_resolution"]}
    assert route_review(result, _policy()).reasons == ["quality:low_resolution"]


def test_thresholds_per_document_type() -> None:
    result = DocumentResult(
        "dl-1",
        "driving_licence",
        {"surname": FieldValue("X", "X", 0.55), "address": FieldValue("A", "A", 0.65)},
    )
    # surname: type threshold 0.5 (passes); address: type default 0.6 (passes); global would say 0.9 / 0.8.
    assert route_review(result, _policy()).status == "auto_approved"
    result.fields["address"].confidence = 0.59
    assert route_review(result, _policy()).reasons == ["low_confidence:address"]


def test_unknown_type_falls_back_to_unknown_entry() -> None:
    policy = _policy(document_types={"unknown": {"required": ["document_number"]}})
    result = DocumentResult("x", "residence_permit", {})
    assert route_review(result, policy).reasons == ["missing:document_number"]


def test_audit_sample_is_deterministic_and_near_rate() -> None:
    policy = _policy(audit_rate=0.02)
    decisions = [route_review(_result(f"doc-{i}"), policy) for i in range(20000)]
    audited = [d for d in decisions if d.status == "to_review"]
    assert all(d.reasons == ["audit_sample"] for d in audited)
    rate = len(audited) / len(decisions)
    assert 0.017 < rate < 0.023, rate
    # Redelivery: the same ids give the same decisions.
    again = [route_review(_result(f"doc-{i}"), policy).status for i in range(2000)]
    assert again == [d.status for d in decisions[:2000]]


def test_audit_only_samples_otherwise_approved_documents() -> None:
    policy = _policy(audit_rate=1.0)
    result = _result()
    assert route_review(result, policy).reasons == ["audit_sample"]
    result.checks = [Check("expiry", "fail")]
    assert route_review(result, policy).reasons == ["check_failed:expiry"]


def test_audit_draw_depends_on_salt() -> None:
    assert audit_draw("a", "s1") == audit_draw("a", "s1")
    assert audit_draw("a", "s1") != audit_draw("a", "s2")
    assert 0.0 <= audit_draw("a", "s1") < 1.0


def test_default_policy_ships_with_two_percent_audit() -> None:
    policy = ReviewPolicy.default()
    assert policy.audit_rate == pytest.approx(0.02)
    assert "surname" in policy.required_fields("passport")
    assert policy.threshold("passport", "document_number") == pytest.approx(0.9)


def test_policy_files_toml_and_json(tmp_path: Path) -> None:
    toml_file = tmp_path / "p.toml"
    toml_file.write_text(
        'audit_rate = 0.1\n[thresholds]\ndefault = 0.7\n[document_types.id_card]\nrequired = ["surname"]\n'
    )
    policy = ReviewPolicy.from_file(toml_file)
    assert policy.audit_rate == pytest.approx(0.1)
    assert policy.threshold("id_card", "surname") == pytest.approx(0.7)
    json_file = tmp_path / "p.json"
    json_file.write_text(json.dumps({"thresholds": {"default": 0.6}}))
    assert ReviewPolicy.from_file(json_file).threshold("x", "y") == pytest.approx(0.6)


@pytest.mark.parametrize(
    "data",
    [
        {"audit_rate": 2.0},
        {"thresholds": {"surname": 1.5}},
        {"thresholds": {"surname": "high"}},
        {"document_types": {"passport": {"required": "surname"}}},
        {"document_types": {"passport": {"mandatory": []}}},
        {"threshold": {}},
    ],
)
def test_invalid_policies_are_rejected(data: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        ReviewPolicy.from_dict(data)


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        ReviewPolicy.from_file(tmp_path / "nope.toml")
