"""Parity vectors: feature rows and the training side's own scores for them. The app's parity
test runs the ONNX graph on the same rows and must agree within the tolerance."""
import numpy as np
import pandas as pd

from .data import matrix
from .model import Trained

TOLERANCE = 1e-5
REAL_ROWS = 36

_TYPICAL = {
    'day': 34, 'presentation_length': 268, 'click_data_available': 1, 'assessments_due': 1,
    'weight_due': 5, 'assessments_submitted': 1, 'share_due_submitted': 1, 'mean_score': 70,
    'weighted_passed': 5, 'registration_day': -30, 'studied_credits': 60, 'education_level': 2,
    'imd_band': 4.5, 'age_band': 0, 'days_since_last_click': 64,
    # No clicks by day 34, as about a tenth of a cohort with click data: a low mid-rank.
    'active_days_rank': 0.05, 'clicks_total_rank': 0.05, 'clicks_last_7d_rank': 0.15,
}
_ACTIVE = {
    'clicks_total': 400, 'clicks_before_start': 40, 'active_days': 20, 'clicks_last_7d': 60,
    'active_days_last_7d': 4, 'clicks_last_14d': 120, 'days_since_last_click': 1,
    'clicks_content': 150, 'clicks_forum': 120, 'clicks_quiz': 30, 'clicks_homepage': 90,
    'active_days_rank': 0.8, 'clicks_total_rank': 0.85, 'clicks_last_7d_rank': 0.75,
}
# Without click data every enrolment has the same (zero) clicks: every rank is one half.
_NO_CLICK_DATA = {'click_data_available': 0, 'active_days_rank': 0.5, 'clicks_total_rank': 0.5,
                  'clicks_last_7d_rank': 0.5}

# Hand-made rows for the situations a model card promises something about.
EDGE_CASES = [
    ('no clicks at all, click data present, week 5', {}),
    ('presentation without click data, week 5', _NO_CLICK_DATA),
    ('active student, week 5', _ACTIVE),
    ('unregistered before the start', {'unregistered': 1, 'registration_day': -60,
                                       'assessments_submitted': 0, 'assessments_missed': 1,
                                       'share_due_submitted': 0, 'mean_score': 0,
                                       'weighted_passed': 0}),
    ('unregistered in week 10 after an active start', {
        **_ACTIVE, 'day': 69, 'unregistered': 1, 'days_since_last_click': 20}),
    ('every feature zero', {k: 0 for k in _TYPICAL}),
    ('before the start, day -5', {'day': -5, 'clicks_total': 30, 'clicks_before_start': 30,
                                  'active_days': 2, 'clicks_last_7d': 30,
                                  'active_days_last_7d': 2, 'clicks_last_14d': 30,
                                  'days_since_last_click': 2, 'assessments_due': 0,
                                  'weight_due': 0, 'assessments_submitted': 0,
                                  'mean_score': 0, 'weighted_passed': 0,
                                  'active_days_rank': 0.9, 'clicks_total_rank': 0.9,
                                  'clicks_last_7d_rank': 0.9}),
    ('day 0, nothing yet', {'day': 0, 'assessments_due': 0, 'weight_due': 0,
                            'assessments_submitted': 0, 'mean_score': 0, 'weighted_passed': 0,
                            'days_since_last_click': 30}),
    ('extreme click volume', {k: v * 250 for k, v in _ACTIVE.items()
                              if k.startswith('clicks') and not k.endswith('_rank')}
     | {'active_days': 80, 'active_days_rank': 1.0, 'clicks_total_rank': 1.0,
        'clicks_last_7d_rank': 1.0}),
    ('end of the presentation, day 268', {'day': 268, 'assessments_due': 6, 'weight_due': 100,
                                          'assessments_submitted': 6, 'weighted_passed': 100,
                                          'days_since_last_click': 3, 'active_days': 150,
                                          'active_days_rank': 0.7, 'clicks_total_rank': 0.7,
                                          'clicks_last_7d_rank': 0.6}),
    ('missed everything by week 10', {'day': 69, 'assessments_due': 2, 'weight_due': 23,
                                      'assessments_submitted': 0, 'assessments_missed': 2,
                                      'share_due_submitted': 0, 'mean_score': 0,
                                      'weighted_passed': 0, 'days_since_last_click': 99}),
    ('full marks, late submissions', {'mean_score': 100, 'weighted_passed': 5,
                                      'late_submissions': 1}),
    ('registered late, day 30', {'registration_day': 30, 'assessments_missed': 1,
                                 'assessments_submitted': 0, 'share_due_submitted': 0}),
    ('many previous attempts, heavy load', {'prev_attempts': 6, 'studied_credits': 655,
                                            'education_level': 0, 'imd_band': 0,
                                            'age_band': 2}),
]


def edge_rows(all_features: list[str]) -> tuple[list[str], pd.DataFrame]:
    rows = []
    for _, change in EDGE_CASES:
        row = {f: 0.0 for f in all_features}
        row.update(_TYPICAL)
        row.update(change)
        rows.append(row)
    return [label for label, _ in EDGE_CASES], pd.DataFrame(rows, columns=all_features)


def parity_vectors(trained: Trained, sample_from: pd.DataFrame, all_features: list[str],
                   seed: int) -> dict:
    """Real rows (seeded sample across presentations and weeks) plus the edge cases."""
    real = sample_from.sample(n=REAL_ROWS, random_state=seed).sort_values(
        ['presentation', 'student', 'as_of_day'])
    labels = [f'{r.presentation} student {r.student} day {r.as_of_day}'
              for r in real.itertuples()]
    edge_labels, edges = edge_rows(all_features)
    x = np.vstack([matrix(real, trained.features), matrix(edges, trained.features)])
    expected = trained.predict(x)
    return {
        'model': trained.name,
        'features': trained.features,
        'tolerance': TOLERANCE,
        'rows': [{'label': label, 'input': [float(v) for v in row], 'expected': float(e)}
                 for label, row, e in zip(labels + edge_labels, x, expected)],
    }
