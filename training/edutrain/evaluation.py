"""Per-week evaluation on the held-out presentation, with baselines, fairness and limits."""
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from . import metrics as m
from .data import WEEKS, Split, matrix, week_day
from .model import Trained

FAIRNESS_WEEKS = [3, 5, 10]
LIMIT_WEEKS = [5, 10]


def label_of(trained: Trained) -> str:
    return 'label_success' if trained.metric == 'm2_success' else 'label_progress'


def baseline(trained: Trained, split: Split):
    """The reference every figure is read against: a plain logistic regression (classifiers)
    or ridge regression (regressor) on the same features and training rows, no transforms."""
    x = matrix(split.train, trained.features).astype(np.float64)
    y = split.train[label_of(trained)].to_numpy(np.float64)
    if trained.kind == 'classifier':
        lr = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000))
        lr.fit(x, y)
        return lambda rows: lr.predict_proba(rows.astype(np.float64))[:, 1]
    ridge = make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(x, y)
    return lambda rows: np.clip(ridge.predict(rows.astype(np.float64)), 0.0, 1.0)


def scores(trained: Trained, frame: pd.DataFrame) -> np.ndarray:
    return m.as_model_output(trained.predict(matrix(frame, trained.features)))


def weekly(trained: Trained, split: Split, naive: float) -> list[dict]:
    """One record per week 1..10 on the evaluation presentation; every enrolment is in n."""
    reference = baseline(trained, split)
    label = label_of(trained)
    records = []
    for week in WEEKS:
        rows = split.evaluation[split.evaluation.as_of_day == week_day(week)]
        y = rows[label].to_numpy(np.float64)
        p = scores(trained, rows)
        b = m.as_model_output(reference(matrix(rows, trained.features)))
        record = {'week': week, 'day': week_day(week), 'n': int(len(rows))}
        if trained.kind == 'classifier':
            record.update(
                positives=int(y.sum()), auc=m.rounded(m.auc(y, p)), brier=m.rounded(m.brier(y, p)),
                ece=m.rounded(m.ece(y, p)), auc_baseline_lr=m.rounded(m.auc(y, b)),
                brier_baseline_lr=m.rounded(m.brier(y, b)), ece_baseline_lr=m.rounded(m.ece(y, b)))
        else:
            record.update(
                mae=m.rounded(m.mae(y, p)), mae_naive=m.rounded(m.mae(y, np.full_like(y, naive))),
                mae_baseline_linear=m.rounded(m.mae(y, b)),
                mean_label=m.rounded(float(y.mean())), mean_score=m.rounded(float(p.mean())))
        records.append(record)
    return records


def quality(trained: Trained, y: np.ndarray, p: np.ndarray) -> dict:
    if trained.kind == 'classifier':
        return {'n': int(len(y)), 'auc': m.rounded(m.auc(y, p))}
    return {'n': int(len(y)), 'mae': m.rounded(m.mae(y, p))}


def fairness(trained: Trained, split: Split) -> dict:
    """AUC (MAE for the regressor) by gender and by disability on the evaluation presentation."""
    label = label_of(trained)
    out = {}
    for week in FAIRNESS_WEEKS:
        rows = split.evaluation[split.evaluation.as_of_day == week_day(week)]
        p, y = scores(trained, rows), rows[label].to_numpy(np.float64)
        out[f'week{week}'] = {
            column: {str(group): quality(trained, y[(rows[column] == group).to_numpy()],
                                         p[(rows[column] == group).to_numpy()])
                     for group in sorted(rows[column].dropna().unique())}
            for column in ('gender', 'disability')}
    return out


def group_summary(trained: Trained, rows: pd.DataFrame) -> dict:
    """How the model scores a group of rows, next to what happened to them."""
    label = label_of(trained)
    if len(rows) == 0:
        return {'n': 0}
    p, y = scores(trained, rows), rows[label].to_numpy(np.float64)
    summary = {'n': int(len(rows)), 'meanScore': m.rounded(float(p.mean()), 3),
               'maxScore': m.rounded(float(p.max()), 3), 'observed': m.rounded(float(y.mean()), 3)}
    if trained.kind == 'classifier' and len(np.unique(y)) == 2:
        summary['auc'] = m.rounded(m.auc(y, p), 3)
    return summary


def limits(trained: Trained, split: Split) -> dict:
    """Measured behaviour in the three situations an analyst asks about."""
    ev, later = split.evaluation, split.later_without_clicks
    out = {'noClicks': {}, 'noClickData': {}, 'afterUnregistration': {}}
    for week in LIMIT_WEEKS:
        day = week_day(week)
        rows = ev[ev.as_of_day == day]
        out['noClicks'][f'week{week}'] = group_summary(
            trained, rows[(rows.clicks_total == 0) & (rows.unregistered == 0)])
        out['noClickData'][f'week{week}'] = group_summary(trained, later[later.as_of_day == day])
        out['afterUnregistration'][f'week{week}'] = group_summary(
            trained, rows[rows.unregistered == 1])
    reads_clicks = 'click_data_available' in trained.features
    out['noClicks']['note'] = (
        'Still-registered students of the evaluation presentation with no click at all by '
        'that day. ' + ('The model reads no clicks, so they are scored on coursework and '
                        'background alone.' if not reads_clicks else
                        'They are scored as inactive: zero active days, and days since the '
                        'last click counted as day + 30.'))
    out['noClickData']['note'] = (
        'Later presentations without imported clicks (2014B and 2014J, AAA-2014J excluded). '
        + ('The model does not read clicks, so nothing changes.' if not reads_clicks else
           'click_data_available = 0 tells the model that zero clicks mean unknown; it then '
           'relies on coursework, registration and background.'))
    outcome = ('almost none pass' if trained.kind == 'classifier'
               else 'their coursework stops, so progress stays near what was passed')
    out['afterUnregistration']['note'] = (
        f'Enrolments that had unregistered by that day (unregistered = 1): {outcome}; the '
        'score should be read as final.')
    return out
