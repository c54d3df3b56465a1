"""project_2411_clf: gradient-boosted trees that start from a logistic regression.

The logistic regression carries the broad, mostly monotone effects (coursework submitted,
engagement days); shallow trees fitted to what it leaves add interactions, e.g. that an
inactive week means more late in the presentation than in week 1. Raw click volumes are left
out: they differ by module (AAA students click about twice as much as BBB students), whereas
active days and recency travel between modules. Cohort ranks of click volume do transfer,
but added nothing measurable in the design check (training/README.md), so they are left out too.
"""
import time

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from . import metrics, onnx_graphs as og
from .data import Split, inner_split, matrix
from .model import WITH_ENGAGEMENT, Trained, best_epoch
from .transforms import LINEAR_SCALE, LogOnly

INTENDED_USE = (
    'Weekly early warning in weeks 1-10: the probability that an enrolment ends in Pass or '
    'Distinction. The recommended m2_success model; built for presentations with click data, '
    'and it also scores presentations without (see limits).')
NEEDS = (
    'Coursework (assessments due, submitted, missed, late, scores), registration (day, '
    'unregistration), background (previous attempts, credits, education, IMD band, age band) '
    'and, where the presentation has click data, active days, active days in the last 7 days '
    'and days since the last click. Not gender, disability or region.')
MAX_ROUNDS = 500
PARAMS = dict(learning_rate=0.05, max_depth=2, subsample=0.5, min_samples_leaf=100)
# sklearn turns the start model's probability into log-odds after clipping it to
# [eps, 1 − eps] with float32's eps; the graph clips the logit to the same range.
EPS = float(np.finfo(np.float32).eps)
LOGIT_LIMIT = float(np.log((1 - EPS) / EPS))


def start_model(features: list[str], seed: int) -> Pipeline:
    """The logistic regression the trees start from, on log1p(counts): in the design check
    (training/README.md) this start transferred best from BBB to AAA."""
    mask = np.array([f not in LINEAR_SCALE for f in features])
    return Pipeline([
        ('log', FunctionTransformer(LogOnly(mask))),
        ('scale', StandardScaler()),
        ('lr', LogisticRegression(C=1.0, max_iter=2000, random_state=seed)),
    ])


def boosted(features: list[str], rounds: int, seed: int) -> GradientBoostingClassifier:
    return GradientBoostingClassifier(init=start_model(features, seed), n_estimators=rounds,
                                      random_state=seed, **PARAMS)


def round_log(model, x, y, held) -> list[dict]:
    """Train and validation loss after each boosting round (round 0: the start model)."""
    train = model.staged_predict_proba(x[~held])
    val = model.staged_predict_proba(x[held])
    rows = []
    for r, (p, q) in enumerate(zip(train, val), start=1):
        p, q = p[:, 1], q[:, 1]
        rows.append({'epoch': r, 'train_loss': metrics.log_loss(y[~held], p),
                     'val_loss': metrics.log_loss(y[held], q),
                     'train_mae': metrics.mae(y[~held], p), 'val_mae': metrics.mae(y[held], q)})
    return rows


def logit_graph(g: og.GraphBuilder, model: GradientBoostingClassifier, x: str) -> str:
    """The model's log-odds as [N, 1] (start model plus trees), read from input x."""
    pipeline = model.init_
    scaler, lr = pipeline.named_steps['scale'], pipeline.named_steps['lr']
    mask = pipeline.named_steps['log'].func.mask
    z = og.log_standardise(g, x, mask, scaler.mean_, scaler.scale_)
    start = og.clip(g, og.linear(g, z, lr.coef_.ravel(), float(lr.intercept_[0])),
                    -LOGIT_LIMIT, LOGIT_LIMIT)
    trees = [og.tree_from_sklearn(stage[0].tree_, model.learning_rate)
             for stage in model.estimators_]
    return g.op('Add', [start, og.tree_ensemble(g, x, trees)])


def to_onnx(model: GradientBoostingClassifier, features: list[str]):
    g = og.GraphBuilder('features', len(features))
    g.op('Sigmoid', [logit_graph(g, model, 'features')], output='probability')
    return g.model('probability', 'project_2411_clf: logistic regression + boosted trees')


def fit_selected(split: Split, seed: int, features: list[str]):
    """(model, log, rounds): the number of rounds is chosen on inner-validation enrolments;
    the returned model is refit on every training row with that number."""
    x, y = matrix(split.train, features), split.train.label_success.to_numpy(np.float64)
    held = inner_split(split.train, seed)
    selection = boosted(features, MAX_ROUNDS, seed).fit(x[~held], y[~held])
    log = round_log(selection, x, y, held)
    rounds = best_epoch(log)
    return boosted(features, rounds, seed).fit(x, y), log, rounds


def train(split: Split, seed: int) -> Trained:
    started = time.perf_counter()
    features = WITH_ENGAGEMENT
    model, log, rounds = fit_selected(split, seed, features)

    return Trained(
        name='project_2411_clf', metric='m2_success', kind='classifier',
        description='Boosted trees on top of a logistic regression: coursework, engagement '
        'days and background',
        features=features, output='probability',
        predict=lambda rows: model.predict_proba(rows)[:, 1],
        graph=to_onnx(model, features), log=log,
        method=f'sklearn GradientBoostingClassifier ({rounds} rounds of depth-'
        f'{PARAMS["max_depth"]} trees, learning rate {PARAMS["learning_rate"]}, '
        f'subsample {PARAMS["subsample"]}, min_samples_leaf {PARAMS["min_samples_leaf"]}) '
        'starting from an L2 logistic regression on log1p(counts) and standardised inputs. '
        'Rounds chosen by validation log-loss on 20% of training enrolments (up to '
        f'{MAX_ROUNDS}); refit on all training rows. Log: one row per boosting round of the '
        'selection fit.',
        intended_use=INTENDED_USE, needs=NEEDS,
        selection={'rounds': rounds, 'maxRounds': MAX_ROUNDS, **PARAMS},
        seconds=time.perf_counter() - started)
