"""Metrics, computed the way src/main/engine/models/evaluate.ts computes them, so the app's
`edutech models evaluate` reproduces every figure of a manifest."""
import numpy as np
from sklearn.metrics import roc_auc_score

ECE_BINS = 10


def auc(y: np.ndarray, p: np.ndarray) -> float | None:
    """ROC-AUC; ties count one half (Mann-Whitney). None when only one class is present."""
    if len(np.unique(y)) < 2:
        return None
    return float(roc_auc_score(y, p))


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def ece(y: np.ndarray, p: np.ndarray, bins: int = ECE_BINS) -> float:
    """Expected calibration error over equal-width bins [0, 0.1), …, [0.9, 1.0]: the share of
    rows in each bin times |mean score − observed rate| there, summed."""
    index = np.minimum(np.floor(p * bins).astype(int), bins - 1)
    index = np.maximum(index, 0)
    total = 0.0
    for b in range(bins):
        in_bin = index == b
        if in_bin.any():
            total += in_bin.mean() * abs(float(p[in_bin].mean()) - float(y[in_bin].mean()))
    return float(total)


def mae(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(np.abs(p - y)))


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    q = np.clip(p, 1e-7, 1 - 1e-7)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def mse(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def as_model_output(p: np.ndarray) -> np.ndarray:
    """Scores as the app sees them: float32, then widened, so bins and ties match ONNX."""
    return np.asarray(p, dtype=np.float32).astype(np.float64)


def rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)
