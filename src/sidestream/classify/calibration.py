"""Platt scaling: raw match scores to the probability that the code is right.

The parameters per backend live in ``data/calibration.json`` and are fitted by
``benchmarks/classify_calibrate.py`` on the calibration split of the evaluation set.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy.optimize import minimize

from sidestream.classify.embeddings import package_data_dir

CALIBRATION_FILE = "calibration.json"


@lru_cache
def _parameters() -> dict[str, dict[str, float]]:
    try:
        return json.loads((package_data_dir() / CALIBRATION_FILE).read_text())
    except (OSError, ValueError):
        return {}


def calibrate(raw: float, backend: str) -> float:
    """Calibrated score in [0, 1]; an uncalibrated backend gets ``raw`` clipped to [0, 1]."""
    params = _parameters().get(backend)
    if params is None:
        return min(max(raw, 0.0), 1.0)
    return 1.0 / (1.0 + math.exp(-(params["a"] * raw + params["b"])))


def fit_platt(raw: Sequence[float], correct: Sequence[bool]) -> dict[str, float]:
    """Fit ``sigmoid(a * raw + b)`` to 0/1 outcomes by maximum likelihood (Platt's targets)."""
    x = np.asarray(raw, dtype=float)
    y = np.asarray(correct, dtype=float)
    positives, negatives = y.sum(), len(y) - y.sum()
    target = np.where(y > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))

    def loss(p: np.ndarray) -> float:
        z = p[0] * x + p[1]
        return float(np.sum(np.logaddexp(0, z) - target * z))

    result = minimize(loss, x0=np.array([5.0, -2.5]), method="L-BFGS-B")
    return {"a": float(result.x[0]), "b": float(result.x[1])}
