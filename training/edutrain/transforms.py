"""Input transforms shared by the linear and MLP models, mirrored by onnx_graphs.log_standardise.

Counts and durations are skewed (a few students click thousands of times), so linear and
neural models read log1p of them; trees need no transform, being invariant to monotone ones.
"""
from dataclasses import dataclass

import numpy as np

# Features read as they are; every other feature is a count or duration and is log-scaled.
# The cohort ranks are shares (0..1), not counts.
LINEAR_SCALE = frozenset({
    'day', 'presentation_length', 'click_data_available', 'assessments_due', 'weight_due',
    'share_due_submitted', 'mean_score', 'weighted_passed', 'registration_day',
    'unregistered', 'education_level', 'imd_band', 'age_band', 'active_days_rank',
    'clicks_total_rank', 'clicks_last_7d_rank',
})


@dataclass
class LogStandardiser:
    """log1p(max(x, 0)) on count columns, then (x − mean) / scale, fitted on training rows."""
    log_mask: np.ndarray
    mean: np.ndarray
    scale: np.ndarray

    @staticmethod
    def fit(x: np.ndarray, features: list[str]) -> 'LogStandardiser':
        mask = np.array([f not in LINEAR_SCALE for f in features])
        t = log_transform(x, mask)
        scale = t.std(axis=0)
        scale[scale < 1e-6] = 1.0
        return LogStandardiser(mask, t.mean(axis=0), scale)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return (log_transform(x, self.log_mask) - self.mean) / self.scale


def log_transform(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return np.where(mask, np.log1p(np.maximum(x, 0.0)), x)


class LogOnly:
    """The log step alone, as a picklable sklearn FunctionTransformer callable."""

    def __init__(self, mask: np.ndarray):
        self.mask = mask

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return log_transform(x, self.mask)


class RawAndLog:
    """Every column as it is, then log1p(max(x, 0)) of the masked (count) columns: a linear
    model on both can give each count its own shape, from linear to logarithmic. Picklable,
    for an sklearn FunctionTransformer."""

    def __init__(self, mask: np.ndarray):
        self.mask = mask

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        return np.hstack([x, np.log1p(np.maximum(x[:, self.mask], 0.0))])
