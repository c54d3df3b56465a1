"""project_1911: L2-regularised logistic regression that reads no clicks at all, so it scores
presentations without click data exactly as it scores the others."""
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from . import metrics, onnx_graphs as og
from .data import Split, inner_split, matrix
from .model import NO_CLICKS, Trained
from .transforms import LogStandardiser

C_GRID = [0.01, 0.1, 1.0, 10.0]
ITERATIONS_PER_EPOCH = 5
MAX_EPOCHS = 60


def fit_chunked(z, y, c, seed, val=None):
    """L-BFGS in chunks of a few iterations, warm-started, so the log has one row per chunk;
    stops when the coefficients stop moving."""
    model = LogisticRegression(C=c, max_iter=ITERATIONS_PER_EPOCH, warm_start=True,
                               random_state=seed)
    rows, previous = [], None
    for epoch in range(1, MAX_EPOCHS + 1):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', ConvergenceWarning)
            model.fit(z, y)
        p = model.predict_proba(z)[:, 1]
        row = {'epoch': epoch, 'train_loss': metrics.log_loss(y, p), 'train_mae': metrics.mae(y, p)}
        if val is not None:
            q = model.predict_proba(val[0])[:, 1]
            row.update(val_loss=metrics.log_loss(val[1], q), val_mae=metrics.mae(val[1], q))
        rows.append(row)
        coef = np.append(model.coef_.ravel(), model.intercept_)
        if previous is not None and np.max(np.abs(coef - previous)) < 1e-6:
            break
        previous = coef
    return model, rows


def train(split: Split, seed: int) -> Trained:
    started = time.perf_counter()
    features = NO_CLICKS
    x, y = matrix(split.train, features), split.train.label_success.to_numpy(np.float64)
    held = inner_split(split.train, seed)

    # C is chosen on the inner validation enrolments, then the model is refit on all rows.
    inner = LogStandardiser.fit(x[~held], features)
    val = (inner(x[held]), y[held])
    fits = {c: fit_chunked(inner(x[~held]), y[~held], c, seed, val) for c in C_GRID}
    c = min(C_GRID, key=lambda k: fits[k][1][-1]['val_loss'])
    log = fits[c][1]

    scaler = LogStandardiser.fit(x, features)
    model, _ = fit_chunked(scaler(x), y, c, seed)
    coef, intercept = model.coef_.ravel(), float(model.intercept_[0])

    def predict(rows: np.ndarray) -> np.ndarray:
        return model.predict_proba(scaler(rows))[:, 1]

    g = og.GraphBuilder('features', len(features))
    logit = og.linear(g, og.log_standardise(g, 'features', scaler.log_mask, scaler.mean,
                                            scaler.scale), coef, intercept)
    g.op('Sigmoid', [logit], output='probability')
    return Trained(
        name='project_1911', metric='m2_success', kind='classifier',
        description='Logistic regression without clicks: coursework, registration and '
        'background only; for presentations without click data',
        features=features, output='probability', predict=predict,
        graph=g.model('probability', 'project_1911: L2 logistic regression, no clicks'),
        log=log,
        method=f'L2-regularised logistic regression (C={c}, chosen from {C_GRID} by log-loss '
        'on inner-validation enrolments) on log1p(counts) and standardised inputs; refit on '
        'all training rows. Log: one row per warm-started chunk of '
        f'{ITERATIONS_PER_EPOCH} L-BFGS iterations of the selection fit.',
        intended_use=(
            'm2_success where click data is missing or not trusted, and as a transparent '
            'reference: one coefficient per feature (see selection.coefficients).'),
        needs=('Coursework (assessments due, submitted, missed, late, scores), registration '
               '(day, unregistration) and background (previous attempts, credits, education, '
               'IMD band, age band). No clicks at all; not gender, disability or region.'),
        selection={'C': c, 'coefficients': dict(zip(features, np.round(coef, 4).tolist()))},
        seconds=time.perf_counter() - started)
