"""What every trainer returns, and the training-log format the app's monitor reads."""
import csv
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import onnx

# One row per epoch (MLP), boosting round (trees) or L-BFGS chunk (logistic regression).
# loss: the training objective (log-loss for classifiers, squared error for the regressor);
# mae: mean |label − score|. Empty cells are not used: every column is always filled.
LOG_COLUMNS = ['epoch', 'train_loss', 'val_loss', 'train_mae', 'val_mae']

# Engagement measured in days, comparable across modules whose click volumes differ.
ENGAGEMENT = ['active_days', 'active_days_last_7d', 'days_since_last_click']
CLICK_VOLUME = [
    'clicks_total', 'clicks_before_start', 'clicks_last_7d', 'clicks_last_14d',
    'clicks_content', 'clicks_forum', 'clicks_quiz', 'clicks_homepage',
]
COURSEWORK = [
    'assessments_due', 'weight_due', 'assessments_submitted', 'assessments_missed',
    'share_due_submitted', 'late_submissions', 'mean_score', 'weighted_passed',
]
REGISTRATION = ['registration_day', 'unregistered']
BACKGROUND = ['prev_attempts', 'studied_credits', 'education_level', 'imd_band', 'age_band']

# Cohort ranks: the mid-rank (0..1) among every enrolment of the same presentation as of the
# same day (src/main/engine/features/cohort.ts); 0.5 without click data. A module whose
# students click twice as much has the same ranks, where raw counts double. No shipped model
# reads them: in the design check (training/README.md) they added no held-out AUC, and the
# active-days rank cost calibration, since it drops the absolute level of engagement that
# does carry between modules. They remain candidates there.
VOLUME_RANKS = ['clicks_total_rank', 'clicks_last_7d_rank']
ACTIVE_DAYS_RANK = ['active_days_rank']

# presentation_length is left out of every set: it mostly identifies a presentation (and
# 2014J presentations are 269 days, a length no training presentation has).
NO_CLICKS = ['day', *COURSEWORK, *REGISTRATION, *BACKGROUND]
WITH_ENGAGEMENT = ['day', 'click_data_available', *ENGAGEMENT, *COURSEWORK, *REGISTRATION,
                   *BACKGROUND]
WITH_CLICK_VOLUME = [*WITH_ENGAGEMENT, *CLICK_VOLUME]
WITH_VOLUME_RANKS = [*WITH_ENGAGEMENT, *VOLUME_RANKS]  # a design-check candidate


@dataclass
class Trained:
    """A fitted model with its own scoring function (the reference for parity) and graph."""
    name: str
    metric: str
    kind: str
    description: str
    features: list[str]
    output: str
    predict: Callable[[np.ndarray], np.ndarray]
    graph: onnx.ModelProto
    log: list[dict]
    method: str
    intended_use: str = ''
    needs: str = ''
    selection: dict = field(default_factory=dict)
    seconds: float = 0.0


def write_log(path: str, rows: list[dict]) -> None:
    with open(path, 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=LOG_COLUMNS, lineterminator='\n')
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (row[k] if k == 'epoch' else f'{row[k]:.6f}')
                             for k in LOG_COLUMNS})


def best_epoch(rows: list[dict]) -> int:
    """The epoch/round with the lowest validation loss (the first, on ties)."""
    return min(rows, key=lambda r: (r['val_loss'], r['epoch']))['epoch']
