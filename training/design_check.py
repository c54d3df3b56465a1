#!/usr/bin/python3
"""How the m2_success designs were chosen, reproducibly, without the evaluation presentation.

    /usr/bin/python3 training/design_check.py --features /tmp/features.csv

Leave-one-presentation-out over the training presentations that have clicks (AAA-2013J,
BBB-2013B): each candidate is trained on the other training presentations and scored on the
held-out one, next to a plain logistic regression on the same features and rows (the baseline
the model cards report). Both folds measure transfer between modules: the held-out module's
clicks were never seen. BBB-2013J (evaluation) and AAA-2014J (reserved) are never read.

Criterion (unchanged from the first version of this check, which printed it as a gain over
one fixed logistic regression): the shipped design is the one with the largest mean held-out
AUC at weeks 3, 5 and 10 of both folds. The gain over the same-feature baseline (the target
the cards are read against) and the mean ECE are printed beside it; the ECE of a held-out
module is dominated by its pass rate (AAA-2013J 73%, BBB-2013B 45%), which no input here
carries. The MLP (project_2911) keeps raw click volumes by role, as the second opinion that
reads volume as volume; its rows show what that costs when the module changes. The progress
regressor's candidates (project_1611) are read by mean held-out MAE.
"""
import argparse
import sys

import numpy as np
import torch
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from edutrain import hgb_progress, metrics, mlp
from edutrain.data import load_matrix, matrix, temporal_split, week_day
from edutrain.model import (
    ACTIVE_DAYS_RANK, CLICK_VOLUME, VOLUME_RANKS, WITH_CLICK_VOLUME, WITH_ENGAGEMENT,
    WITH_VOLUME_RANKS)
from edutrain.transforms import LINEAR_SCALE, LogOnly, LogStandardiser, RawAndLog

FOLDS = ['AAA-2013J', 'BBB-2013B']
WEEKS = [3, 5, 10]
ROUNDS = 400
MLP_EPOCHS = 30
REGRESSOR_ROUNDS = 400
SEED = 0
ALL_RANKS = [*ACTIVE_DAYS_RANK, *VOLUME_RANKS]
# Engagement with active days replaced by their rank.
DAYS_AS_RANK = [f for f in WITH_ENGAGEMENT if f not in ('active_days', 'active_days_last_7d')]

# name → (features, tree depth, start model's inputs: 'log' = log1p in place of the counts
# (gb_lr.start_model), 'plain' = as they are, 'both' = every feature plus log1p of every count)
TREES = {
    'depth 2, log start (shipped)': (WITH_ENGAGEMENT, 2, 'log'),
    'depth 2, log start, + volume ranks': (WITH_VOLUME_RANKS, 2, 'log'),
    'depth 2, log start, + all three ranks': ([*WITH_ENGAGEMENT, *ALL_RANKS], 2, 'log'),
    'depth 2, log start, active days as ranks': ([*DAYS_AS_RANK, *ALL_RANKS], 2, 'log'),
    'depth 3, log start': (WITH_ENGAGEMENT, 3, 'log'),
    'depth 2, plain start': (WITH_ENGAGEMENT, 2, 'plain'),
    'depth 2, raw + log start': (WITH_ENGAGEMENT, 2, 'both'),
    'depth 2, log start, + click volumes': ([*WITH_ENGAGEMENT, *CLICK_VOLUME], 2, 'log'),
}
# name → features of the MLP (project_2911's architecture and training)
NETWORKS = {
    'click volumes (shipped)': WITH_CLICK_VOLUME,
    'no volumes': WITH_ENGAGEMENT,
    'volume ranks instead of volumes': WITH_VOLUME_RANKS,
    'click volumes + all three ranks': [*WITH_CLICK_VOLUME, *ALL_RANKS],
}
# Ensembles of the shipped trees and an MLP: name → (MLP features, 'probability' | 'logit').
# Gains are over the LR on the trees' features (the shipped card's baseline); the last column
# is the gain over an LR on the union of features, the baseline an ensemble's card would show.
ENSEMBLES = {
    'trees + MLP click volumes, mean probability': (WITH_CLICK_VOLUME, 'probability'),
    'trees + MLP click volumes, mean logit': (WITH_CLICK_VOLUME, 'logit'),
    'trees + MLP no volumes, mean probability': (WITH_ENGAGEMENT, 'probability'),
    'trees + MLP no volumes, mean logit': (WITH_ENGAGEMENT, 'logit'),
}
SECTIONS = ['trees', 'networks', 'ensembles', 'progress']
# name → features of the progress regressor (project_1611's settings)
REGRESSORS = {
    'engagement days (shipped)': WITH_ENGAGEMENT,
    '+ volume ranks': WITH_VOLUME_RANKS,
    '+ all three ranks': [*WITH_ENGAGEMENT, *ALL_RANKS],
}


def boosted(features, depth, start_inputs):
    def fit(x, y):
        counts = np.array([f not in LINEAR_SCALE for f in features])
        inputs = (RawAndLog(counts) if start_inputs == 'both'
                  else LogOnly(counts & (start_inputs == 'log')))
        start = Pipeline([('inputs', FunctionTransformer(inputs)), ('scale', StandardScaler()),
                          ('lr', LogisticRegression(C=1.0, max_iter=2000))])
        model = GradientBoostingClassifier(init=start, n_estimators=ROUNDS, learning_rate=0.05,
                                           max_depth=depth, subsample=0.5,
                                           min_samples_leaf=100, random_state=SEED).fit(x, y)
        return lambda z: model.predict_proba(z)[:, 1]
    return fit


def network(features):
    def fit(x, y):
        net, _ = mlp.fit(x, y, LogStandardiser.fit(x, features), MLP_EPOCHS, SEED)
        return lambda z: mlp.scores(net, z)
    return fit


def baseline(x, y):
    lr = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000))
    lr.fit(x.astype(np.float64), y)
    return lambda z: lr.predict_proba(z.astype(np.float64))[:, 1]


def held_out(train, features, fit):
    """Per fold and week: (AUC, AUC of the baseline, ECE) on the held-out presentation."""
    cells = []
    for fold in FOLDS:
        rows, held = train[train.presentation != fold], train[train.presentation == fold]
        x, y = matrix(rows, features), rows.label_success.to_numpy(np.float64)
        score, reference = fit(x, y), baseline(x, y)
        for week in WEEKS:
            r = held[held.as_of_day == week_day(week)]
            yy, z = r.label_success.to_numpy(np.float64), matrix(r, features)
            p = score(z)
            cells.append((metrics.auc(yy, p), metrics.auc(yy, reference(z)), metrics.ece(yy, p)))
    return cells


def logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(q / (1 - q))


def average(p: np.ndarray, q: np.ndarray, how: str) -> np.ndarray:
    if how == 'probability':
        return (p + q) / 2
    return 1 / (1 + np.exp(-(logit(p) + logit(q)) / 2))


def ensembles_held_out(train) -> dict:
    """Per candidate, per fold and week: (AUC, AUC of the trees' baseline, ECE, AUC of the
    union baseline); the trees alone first. Each learner is fitted once per fold."""
    trees_features = WITH_ENGAGEMENT
    cells = {'trees alone (shipped)': [], **{name: [] for name in ENSEMBLES}}
    for fold in FOLDS:
        rows, held = train[train.presentation != fold], train[train.presentation == fold]
        y = rows.label_success.to_numpy(np.float64)
        tree_x = matrix(rows, trees_features)
        trees, reference = boosted(trees_features, 2, 'log')(tree_x, y), baseline(tree_x, y)
        union = baseline(matrix(rows, WITH_CLICK_VOLUME), y)
        nets = {}
        for features, _ in ENSEMBLES.values():
            key = tuple(features)
            if key not in nets:
                nets[key] = network(features)(matrix(rows, features), y)
        for week in WEEKS:
            r = held[held.as_of_day == week_day(week)]
            yy, z = r.label_success.to_numpy(np.float64), matrix(r, trees_features)
            p, ref = trees(z), metrics.auc(yy, reference(z))
            ref_union = metrics.auc(yy, union(matrix(r, WITH_CLICK_VOLUME)))
            cells['trees alone (shipped)'].append(
                (metrics.auc(yy, p), ref, metrics.ece(yy, p), ref_union))
            for name, (features, how) in ENSEMBLES.items():
                e = average(p, nets[tuple(features)](matrix(r, features)), how)
                cells[name].append((metrics.auc(yy, e), ref, metrics.ece(yy, e), ref_union))
    return cells


def progress_errors(train, features) -> list[float]:
    """Per fold and week: MAE of the progress regressor on the held-out presentation."""
    errors = []
    for fold in FOLDS:
        rows, held = train[train.presentation != fold], train[train.presentation == fold]
        model = hgb_progress.regressor(REGRESSOR_ROUNDS, SEED)
        model.fit(matrix(rows, features), rows.label_progress.to_numpy(np.float64))
        for week in WEEKS:
            r = held[held.as_of_day == week_day(week)]
            p = np.clip(model.predict(matrix(r, features)), 0.0, 1.0)
            errors.append(metrics.mae(r.label_progress.to_numpy(np.float64), p))
    return errors


def header(title: str) -> str:
    return (f'{title:46s}' + ''.join(f'{f[:3]} w{w:<2d}'.rjust(17) for f in FOLDS for w in WEEKS)
            + '   mean AUC  mean gain  mean ECE')


def line(name: str, cells) -> str:
    auc, ref, ece = (np.array(c) for c in zip(*cells))
    return (f'{name:46s}' + ''.join(f'{a:.3f} ({a - b:+.3f})'.rjust(17) for a, b in zip(auc, ref))
            + f'{auc.mean():11.4f}{(auc - ref).mean():+11.4f}{ece.mean():10.3f}')


def ensemble_line(name: str, cells) -> str:
    auc, union = np.array([c[0] for c in cells]), np.array([c[3] for c in cells])
    ece = ' '.join(f'{c[2]:.3f}' for c in cells)
    return (line(name, [c[:3] for c in cells]) + f'{(auc - union).mean():+11.4f}'
            + f'   ECE by cell: {ece}')


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--features', required=True)
    parser.add_argument('--sections', default=','.join(SECTIONS),
                        help=f'comma-separated subset of {",".join(SECTIONS)}')
    args = parser.parse_args(argv)
    threadpool_limits(1)
    torch.set_num_threads(1)
    sections = args.sections.split(',')
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        parser.error(f'unknown section(s) {", ".join(unknown)}; known: {", ".join(SECTIONS)}')
    train = temporal_split(load_matrix(args.features)).train

    print('AUC on the held-out presentation (gain over the LR baseline on the same features)')
    if 'trees' in sections:
        print(header('boosted trees from a logistic regression'))
        for name, (features, depth, start_inputs) in TREES.items():
            print(line(name, held_out(train, features, boosted(features, depth, start_inputs))),
                  flush=True)
        print()
    if 'networks' in sections:
        print(header('MLP 32-16'))
        for name, features in NETWORKS.items():
            print(line(name, held_out(train, features, network(features))), flush=True)
        print()
    if 'ensembles' in sections:
        print(header('ensembles (gain over the trees\' LR)') + '  gain over union LR')
        for name, cells in ensembles_held_out(train).items():
            print(ensemble_line(name, cells), flush=True)
        print()
    if 'progress' not in sections:
        return 0
    print(f'{"progress regressor (MAE)":46s}'
          + ''.join(f'{f[:3]} w{w:<2d}'.rjust(9) for f in FOLDS for w in WEEKS) + '  mean MAE')
    for name, features in REGRESSORS.items():
        errors = progress_errors(train, features)
        print(f'{name:46s}' + ''.join(f'{e:9.3f}' for e in errors)
              + f'{np.mean(errors):10.4f}', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
