#!/usr/bin/python3
"""How project_2411_clf's design was chosen, reproducibly, without the evaluation presentation.

    /usr/bin/python3 training/design_check.py --features /tmp/features.csv

Leave-one-presentation-out over the training presentations that have clicks (AAA-2013J,
BBB-2013B): each candidate is trained on the other training presentations and scored on the
held-out one, next to the plain logistic-regression baseline on the same rows. The AAA fold
measures transfer between modules (the model has seen no AAA clicks), the BBB fold transfer
within a module. BBB-2013J (evaluation) and AAA-2014J (reserved) are never read. The shipped
design is the one with the largest mean AUC gain over the baseline at weeks 3, 5 and 10.
"""
import argparse
import sys

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from edutrain import metrics
from edutrain.data import load_matrix, matrix, temporal_split, week_day
from edutrain.model import CLICK_VOLUME, WITH_ENGAGEMENT
from edutrain.transforms import LINEAR_SCALE, LogOnly

FOLDS = ['AAA-2013J', 'BBB-2013B']
WEEKS = [3, 5, 10]
ROUNDS = 400
SEED = 0

# name → (features, tree depth, log1p counts in the start model)
CANDIDATES = {
    'depth 2, log start (shipped)': (WITH_ENGAGEMENT, 2, True),
    'depth 3, log start': (WITH_ENGAGEMENT, 3, True),
    'depth 2, plain start': (WITH_ENGAGEMENT, 2, False),
    'depth 3, plain start': (WITH_ENGAGEMENT, 3, False),
    'depth 2, log start, + click volumes': ([*WITH_ENGAGEMENT, *CLICK_VOLUME], 2, True),
}


def candidate(features, depth, log_start):
    mask = np.array([log_start and f not in LINEAR_SCALE for f in features])
    start = Pipeline([('log', FunctionTransformer(LogOnly(mask))), ('scale', StandardScaler()),
                      ('lr', LogisticRegression(C=1.0, max_iter=2000))])
    return GradientBoostingClassifier(init=start, n_estimators=ROUNDS, learning_rate=0.05,
                                      max_depth=depth, subsample=0.5, min_samples_leaf=100,
                                      random_state=SEED)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--features', required=True)
    args = parser.parse_args(argv)
    threadpool_limits(1)
    train = temporal_split(load_matrix(args.features)).train

    print('AUC on the held-out presentation (gain over the LR baseline)')
    print(f'{"candidate":38s}' + ''.join(f'{f} w{w:<2d}'.rjust(20) for f in FOLDS for w in WEEKS)
          + '   mean gain')
    for name, (features, depth, log_start) in CANDIDATES.items():
        cells, gains = [], []
        for fold in FOLDS:
            rows = train[train.presentation != fold]
            held = train[train.presentation == fold]
            y = rows.label_success.to_numpy(np.float64)
            model = candidate(features, depth, log_start).fit(matrix(rows, features), y)
            base = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000))
            base.fit(matrix(rows, WITH_ENGAGEMENT).astype(np.float64), y)
            for week in WEEKS:
                r = held[held.as_of_day == week_day(week)]
                yy = r.label_success.to_numpy(np.float64)
                auc = metrics.auc(yy, model.predict_proba(matrix(r, features))[:, 1])
                ref = metrics.auc(yy, base.predict_proba(
                    matrix(r, WITH_ENGAGEMENT).astype(np.float64))[:, 1])
                gains.append(auc - ref)
                cells.append(f'{auc:.3f} ({auc - ref:+.3f})'.rjust(20))
        print(f'{name:38s}' + ''.join(cells) + f'{np.mean(gains):+12.4f}', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
