"""project_1611: m2_progress, the share of coursework weight a student will have passed by the
end, estimated with histogram gradient-boosted regression trees (squared error)."""
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

from . import metrics, onnx_graphs as og
from .data import Split, inner_split, matrix
from .model import WITH_ENGAGEMENT, Trained, best_epoch

MAX_ROUNDS = 1000
PARAMS = dict(learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=100,
              l2_regularization=1.0)


def regressor(rounds: int, seed: int) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(loss='squared_error', max_iter=rounds,
                                         early_stopping=False, random_state=seed, **PARAMS)


def round_log(model, x, y, held) -> list[dict]:
    rows = []
    train = model.staged_predict(x[~held])
    val = model.staged_predict(x[held])
    for r, (p, q) in enumerate(zip(train, val), start=1):
        p, q = np.clip(p, 0, 1), np.clip(q, 0, 1)
        rows.append({'epoch': r, 'train_loss': metrics.mse(y[~held], p),
                     'val_loss': metrics.mse(y[held], q),
                     'train_mae': metrics.mae(y[~held], p), 'val_mae': metrics.mae(y[held], q)})
    return rows


def to_onnx(model: HistGradientBoostingRegressor, width: int):
    g = og.GraphBuilder('features', width)
    trees = [og.tree_from_hist_predictor(stage[0]) for stage in model._predictors]
    total = og.tree_ensemble(g, 'features', trees, base=float(model._baseline_prediction[0][0]))
    og.clip(g, total, 0.0, 1.0, output='progress')
    return g.model('progress', 'project_1611: histogram gradient-boosted regression trees')


def train(split: Split, seed: int) -> Trained:
    started = time.perf_counter()
    features = WITH_ENGAGEMENT
    x, y = matrix(split.train, features), split.train.label_progress.to_numpy(np.float64)
    held = inner_split(split.train, seed)

    selection = regressor(MAX_ROUNDS, seed).fit(x[~held], y[~held])
    log = round_log(selection, x, y, held)
    rounds = best_epoch(log)
    model = regressor(rounds, seed).fit(x, y)

    return Trained(
        name='project_1611', metric='m2_progress', kind='regressor',
        description='Gradient-boosted regression trees: expected share of coursework weight '
        'passed by the end (0..1)',
        features=features, output='progress',
        predict=lambda rows: np.clip(model.predict(rows), 0.0, 1.0),
        graph=to_onnx(model, len(features)), log=log,
        method=f'sklearn HistGradientBoostingRegressor, squared error ({rounds} rounds, '
        f'learning rate {PARAMS["learning_rate"]}, up to {PARAMS["max_leaf_nodes"]} leaves, '
        f'min_samples_leaf {PARAMS["min_samples_leaf"]}, L2 {PARAMS["l2_regularization"]}); '
        'output clipped to 0..1. Rounds chosen by validation squared error on 20% of training '
        f'enrolments (up to {MAX_ROUNDS}); refit on all training rows. Log: one row per '
        'boosting round of the selection fit (loss = squared error).',
        intended_use=(
            'm2_progress: how much of the coursework (by weight) a student is on course to '
            'pass, weeks 1-10; for planning tutor time, not for pass/fail decisions.'),
        needs=('The same inputs as project_2411_clf: coursework, registration, background and, '
               'where present, engagement days. Not gender, disability or region.'),
        selection={'rounds': rounds, 'maxRounds': MAX_ROUNDS, **PARAMS},
        seconds=time.perf_counter() - started)
