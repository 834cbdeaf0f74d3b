"""Confidence calibration: temperature scaling (Guo et al., 2017) and the expected calibration error."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import torch

__all__ = ["expected_calibration_error", "fit_temperature"]


def fit_temperature(logits: torch.Tensor, targets: torch.Tensor, max_iter: int = 100) -> float:
    """The temperature ``T`` minimizing the NLL of ``softmax(logits / T)`` on held-out data.

    Args:
        logits: ``(N, C)`` validation logits.
        targets: ``(N,)`` true classes.
        max_iter: L-BFGS iterations.

    Returns:
        ``T`` in [0.05, 20] (1.0 when there is no data).
    """
    if logits.numel() == 0:
        return 1.0
    logits = logits.detach().float()
    log_t = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=max_iter)
    loss_fn = torch.nn.CrossEntropyLoss()

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss: torch.Tensor = loss_fn(logits / log_t.exp(), targets)
        loss.backward()  # type: ignore[no-untyped-call]
        return loss

    opt.step(closure)  # type: ignore[no-untyped-call]
    return float(np.clip(log_t.exp().item(), 0.05, 20.0))


def expected_calibration_error(
    confidences: Sequence[float] | npt.NDArray[np.float64],
    correct: Sequence[bool] | npt.NDArray[np.bool_],
    bins: int = 15,
) -> float:
    """Expected calibration error: the bin-weighted gap between confidence and accuracy.

    Args:
        confidences: predicted confidence of each prediction, in [0, 1].
        correct: whether each prediction was right.
        bins: equal-width confidence bins.
    """
    conf = np.asarray(confidences, dtype=np.float64)
    ok = np.asarray(correct, dtype=np.float64)
    if conf.size == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            ece += sel.mean() * abs(conf[sel].mean() - ok[sel].mean())
    return float(ece)
