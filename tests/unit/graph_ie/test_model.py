"""The torch side: a tiny model overfits a few graphs, model files round-trip, calibration helps."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import torch

from idstream.document import Segment
from idstream.errors import ModelError
from idstream.graph_ie.calibrate import expected_calibration_error, fit_temperature
from idstream.graph_ie.dataset import LabeledDocument
from idstream.graph_ie.model import GraphIEConfig
from idstream.graph_ie.predictor import GraphExtractor, save_model
from idstream.graph_ie.schema import Schema
from idstream.graph_ie.train import evaluate_net, prepare, train_model

SCHEMA = Schema.from_dict(
    {
        "name": "mini",
        "document_types": ["card", "pass"],
        "fields": [
            {"name": "name", "multi_segment": True},
            {"name": "birth", "type": "date", "date_role": "past"},
        ],
    }
)
NAMES = ["ALICE", "BOB", "CAROL", "DAVE", "ERIN", "FRANK"]


def box(x: float, y: float, w: float = 80, h: float = 16) -> tuple[tuple[float, float], ...]:
    return ((x, y), (x + w, y), (x + w, y + h), (x, y + h))


def make_doc(i: int) -> LabeledDocument:
    rng = random.Random(i)
    swap = i % 2 == 1  # two layouts: name block left or right
    nx, dx = (220, 20) if swap else (20, 220)
    date = f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.19{rng.randint(50, 99)}"
    segs = [
        Segment("Name", box(nx, 20), 1.0),  # type: ignore[arg-type]
        Segment(NAMES[i % len(NAMES)], box(nx, 40), 1.0),  # type: ignore[arg-type]
        Segment("Born", box(dx, 20), 1.0),  # type: ignore[arg-type]
        Segment(date, box(dx, 40), 1.0),  # type: ignore[arg-type]
        Segment("REPUBLIC", box(120, 100), 1.0),  # type: ignore[arg-type]
    ]
    labels = ["other", "name", "other", "birth", "other"]
    iso = f"19{date[-2:]}-{date[3:5]}-{date[0:2]}"
    return LabeledDocument(f"d{i}", segs, (400, 140), labels, {"name": NAMES[i % len(NAMES)], "birth": iso},
                           doc_type="pass" if swap else "card")  # fmt: skip


def tiny_config() -> GraphIEConfig:
    return GraphIEConfig(
        num_classes=len(SCHEMA.labels), num_doc_types=2, hidden=32, char_channels=32, dropout=0.0
    )


@pytest.fixture(scope="module")
def trained() -> tuple[object, list[object]]:
    torch.set_num_threads(1)
    items = prepare([make_doc(i) for i in range(6)], SCHEMA)
    result = train_model(items, [], SCHEMA, tiny_config(), epochs=80, lr=1e-2, batch_size=6, progress=False)
    return result, items


def test_tiny_model_overfits(trained: tuple[object, list[object]]) -> None:
    result, items = trained
    report, _, _ = evaluate_net(result.net, items, SCHEMA)  # type: ignore[attr-defined,arg-type]
    losses = [row["train_loss"] for row in result.history]  # type: ignore[attr-defined]
    assert losses[-1] < 0.2 * losses[0]
    assert report["segment_accuracy"] == 1.0
    assert report["micro_f1"] == 1.0


def test_save_load_round_trip(trained: tuple[object, list[object]], tmp_path: Path) -> None:
    result, _ = trained
    path = tmp_path / "m.pt"
    save_model(path, result.net, SCHEMA, "mini-1.2.3", temperature=1.5, meta={"seed": 0})  # type: ignore[attr-defined]
    ex = GraphExtractor.from_file(path)
    assert ex.version == "mini-1.2.3" and ex.temperature == 1.5 and ex.meta == {"seed": 0}
    doc = make_doc(3)
    out = ex.extract(doc.segments, doc.doc_size)
    assert out.model_version == "mini-1.2.3"
    assert out.fields["name"].value == doc.fields["name"]
    assert out.fields["birth"].value == doc.fields["birth"]
    assert out.fields["name"].box == doc.segments[1].quad
    assert out.document_type == "pass"
    labels = ex.predict(doc.segments, doc.doc_size)
    assert [lab for lab, _ in labels] == doc.labels
    assert ex.extract([], (10, 10)).fields == {}


def test_bad_model_files(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        GraphExtractor.from_file(tmp_path / "missing.pt")
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a model")
    with pytest.raises(ModelError):
        GraphExtractor.from_file(junk)
    torch.save({"format": "other"}, str(junk))
    with pytest.raises(ModelError):
        GraphExtractor.from_file(junk)


def test_temperature_scaling_lowers_ece() -> None:
    gen = torch.Generator().manual_seed(0)
    n, c = 4000, 4
    targets = torch.randint(0, c, (n,), generator=gen)
    # Over-confident logits: right 70% of the time, but with a huge margin.
    pred = torch.where(torch.rand(n, generator=gen) < 0.7, targets, torch.randint(0, c, (n,), generator=gen))
    logits = torch.nn.functional.one_hot(pred, c).float() * 8.0 + 0.5 * torch.randn(n, c, generator=gen)

    def ece(t: float) -> float:
        p = torch.softmax(logits / t, dim=1)
        conf, arg = p.max(dim=1)
        return expected_calibration_error(conf.numpy(), (arg == targets).numpy())

    t = fit_temperature(logits, targets)
    assert t > 1.5
    assert ece(t) < 0.5 * ece(1.0)
    assert expected_calibration_error([], []) == 0.0
