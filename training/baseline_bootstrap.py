#!/usr/bin/python3
"""Is a classifier's AUC gain over its logistic-regression baseline more than noise?

    /usr/bin/python3 training/baseline_bootstrap.py --features /tmp/features.csv \\
        --model project_2411_clf

Retrains the model exactly as train.py does (same seed, same rows, so the same model as
models/), scores the evaluation presentation next to the baseline of its card, and resamples
its enrolments with replacement: both scores of an enrolment stay together (a paired
bootstrap), so the interval is for the difference itself. Reads the evaluation presentation,
so it reports; it chooses nothing (designs are chosen by design_check.py).
"""
import argparse
import random
import sys

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from edutrain import evaluation, metrics
from edutrain.data import load_matrix, matrix, temporal_split, week_day
from train import SEED, TRAINERS

WEEKS = [3, 5, 10]
RESAMPLES = 2000


def paired_interval(y: np.ndarray, p: np.ndarray, q: np.ndarray, rng) -> tuple[float, ...]:
    """AUC(p) − AUC(q), its 95% percentile interval, and the share of resamples at or
    below 0."""
    diffs = []
    while len(diffs) < RESAMPLES:
        i = rng.integers(0, len(y), len(y))
        if y[i].min() == y[i].max():
            continue
        diffs.append(metrics.auc(y[i], p[i]) - metrics.auc(y[i], q[i]))
    diffs = np.array(diffs)
    low, high = np.percentile(diffs, [2.5, 97.5])
    return metrics.auc(y, p) - metrics.auc(y, q), low, high, float((diffs <= 0).mean())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--features', required=True)
    parser.add_argument('--model', default='project_2411_clf')
    args = parser.parse_args(argv)
    threadpool_limits(1)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)

    split = temporal_split(load_matrix(args.features))
    trained = TRAINERS[args.model](split, SEED)
    if trained.kind != 'classifier':
        parser.error(f'{args.model} is not a classifier')
    reference = evaluation.baseline(trained, split)
    rng = np.random.default_rng(SEED)
    print(f'{args.model} vs its LR baseline on {split.evaluation_presentation}, paired '
          f'bootstrap over enrolments ({RESAMPLES} resamples)')
    print('week  AUC     AUC (LR)  gain     95% interval        share <= 0')
    for week in WEEKS:
        rows = split.evaluation[split.evaluation.as_of_day == week_day(week)]
        y = rows.label_success.to_numpy(np.float64)
        p = metrics.as_model_output(trained.predict(matrix(rows, trained.features)))
        q = metrics.as_model_output(reference(matrix(rows, trained.features)))
        gain, low, high, share = paired_interval(y, p, q, rng)
        print(f'{week:<5d} {metrics.auc(y, p):.4f}  {metrics.auc(y, q):.4f}    {gain:+.4f}  '
              f'[{low:+.4f}, {high:+.4f}]  {share:.3f}', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
