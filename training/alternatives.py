#!/usr/bin/python3
"""Ideas for beating the logistic baseline by more at weeks 3-5, tried and not adopted.

    /usr/bin/python3 training/alternatives.py --features /tmp/features.csv   # ~6 min

Same protocol as design_check.py: leave one click presentation out (AAA-2013J, BBB-2013B),
train on the other training presentations, read AUC at weeks 3, 5 and 10 next to the plain
logistic regression on the shipped features. BBB-2013J and AAA-2014J are never read. The
shipped project_2411_clf (trees from a log start, averaged with an MLP) comes first; each
other row is one idea for adding what a linear model misses (training/README.md, "Tried and
not adopted").
"""
import argparse
import sys

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

import design_check as dc
from edutrain import gb_lr, metrics, mlp
from edutrain.data import load_matrix, matrix, temporal_split, week_day
from edutrain.model import WITH_ENGAGEMENT
from edutrain.transforms import LogStandardiser

FEATURES = WITH_ENGAGEMENT
# Directions that hold whatever the module: more coursework passed, more active days, a more
# recent click, never a lower chance; an unregistration, never a higher one.
MONOTONE = {'active_days': 1, 'active_days_last_7d': 1, 'days_since_last_click': -1,
            'assessments_submitted': 1, 'assessments_missed': -1, 'share_due_submitted': 1,
            'mean_score': 1, 'weighted_passed': 1, 'unregistered': -1}
# Click volumes as shares of the student's own total: free of the module's click level.
SHARES = {'share_last_7d': 'clicks_last_7d', 'share_last_14d': 'clicks_last_14d',
          'share_forum': 'clicks_forum', 'share_quiz': 'clicks_quiz',
          'share_content': 'clicks_content', 'share_homepage': 'clicks_homepage',
          'share_before_start': 'clicks_before_start'}
OUTCOMES = {'Withdrawn': 0, 'Fail': 1, 'Pass': 2, 'Distinction': 3}
SUCCESS = [2, 3]


def with_shares(frame: pd.DataFrame) -> pd.DataFrame:
    total = frame.clicks_total.clip(lower=1)
    for name, column in SHARES.items():
        frame[name] = (frame[column] / total).where(frame.clicks_total > 0, 0).astype(np.float32)
    return frame


def logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(q / (1 - q))


def mean_logit(*scores: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.mean([logit(s) for s in scores], axis=0)))


def monotone_hgb(x, y):
    model = HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=100,
        l2_regularization=1.0, early_stopping=False, random_state=dc.SEED,
        monotonic_cst=[MONOTONE.get(f, 0) for f in FEATURES]).fit(x, y)
    return lambda z: model.predict_proba(z)[:, 1]


def click_weights(rows: pd.DataFrame) -> np.ndarray:
    """Click rows weighted up so they count as much as the no-click rows together."""
    click = rows.click_data_available.to_numpy() > 0
    w = np.where(click, (~click).sum() / max(click.sum(), 1), 1.0)
    return w / w.mean()


def weighted_trees(x, y, rows):
    model = GradientBoostingClassifier(init=WeightedStart(), n_estimators=dc.ROUNDS,
                                       learning_rate=0.05, max_depth=2, subsample=0.5,
                                       min_samples_leaf=100, random_state=dc.SEED)
    model.fit(x, y, sample_weight=click_weights(rows))
    return lambda z: model.predict_proba(z)[:, 1]


class WeightedStart(BaseEstimator, ClassifierMixin):
    """The trees' logistic start model (gb_lr.start_model), taking the sample weights that
    GradientBoostingClassifier passes to its init; a bare Pipeline refuses them."""

    def fit(self, x, y, sample_weight=None):
        self.pipeline_ = gb_lr.start_model(FEATURES, dc.SEED)
        self.pipeline_.fit(x, y, lr__sample_weight=sample_weight)
        self.classes_ = self.pipeline_.classes_
        return self

    def predict_proba(self, x):
        return self.pipeline_.predict_proba(x)


def success_network(x, y, seed):
    """project_2911's MLP and training on the shipped features (design_check's network)."""
    net, _ = mlp.fit(x, y, LogStandardiser.fit(x, FEATURES), dc.MLP_EPOCHS, seed)
    return lambda z: mlp.scores(net, z)


def outcome_network(x, outcome, seed):
    """The same MLP with four outputs, trained on the final result; success = P(Pass or
    Distinction)."""
    torch.manual_seed(seed)
    net = mlp.Net(LogStandardiser.fit(x, FEATURES))
    net.layers[-1] = torch.nn.Linear(mlp.HIDDEN[-1], len(OUTCOMES))
    optimiser = torch.optim.Adam(net.parameters(), lr=mlp.LEARNING_RATE,
                                 weight_decay=mlp.WEIGHT_DECAY)
    xt, ot = torch.from_numpy(x), torch.from_numpy(outcome)
    for epoch in range(1, dc.MLP_EPOCHS + 1):
        order = torch.randperm(len(xt), generator=torch.Generator().manual_seed(seed + epoch))
        net.train()
        for start in range(0, len(xt), mlp.BATCH):
            b = order[start:start + mlp.BATCH]
            optimiser.zero_grad()
            torch.nn.functional.cross_entropy(net.logits(xt[b]), ot[b]).backward()
            optimiser.step()
    net.eval()

    def score(z):
        with torch.no_grad():
            out = net.logits(torch.from_numpy(np.ascontiguousarray(z, np.float32)))
        return torch.softmax(out, 1).numpy()[:, SUCCESS].sum(1)
    return score


def outcome_trees(x, outcome):
    model = GradientBoostingClassifier(init=WeightedStart(), n_estimators=dc.ROUNDS,
                                       learning_rate=0.05, max_depth=2, subsample=0.5,
                                       min_samples_leaf=100, random_state=dc.SEED)
    model.fit(x, outcome)
    return lambda z: model.predict_proba(z)[:, SUCCESS].sum(1)


def fold_scores(rows: pd.DataFrame, held: pd.DataFrame) -> dict:
    """Every candidate's scores on the held-out rows, plus the baseline's."""
    x, y = matrix(rows, FEATURES), rows.label_success.to_numpy(np.float64)
    outcome = rows.final_result.map(OUTCOMES).to_numpy(np.int64)
    z = matrix(held, FEATURES)
    trees = dc.boosted(FEATURES, 2, 'log')(x, y)(z)
    net = success_network(x, y, dc.SEED)(z)
    shares = [*FEATURES, *SHARES]
    xs, zs = matrix(rows, shares), matrix(held, shares)
    share_trees = dc.boosted(shares, 2, 'log')(xs, y)(zs)
    share_net = dc.network(shares)(xs, y)(zs)
    seeds = [success_network(x, y, s)(z) for s in range(5)]
    return {
        'baseline': dc.baseline(x, y)(z),
        'shipped: trees + MLP, mean log-odds': mean_logit(trees, net),
        'trees alone': trees,
        '+ monotone histogram trees': mean_logit(trees, net, monotone_hgb(x, y)(z)),
        'click rows weighted as all no-click rows': weighted_trees(x, y, rows)(z),
        'four outcomes learnt (trees), success summed': outcome_trees(x, outcome)(z),
        'trees + a four-outcome MLP': mean_logit(trees, outcome_network(x, outcome, dc.SEED)(z)),
        'trees + an MLP bagged over 5 seeds': mean_logit(trees, mean_logit(*seeds)),
        'trees + MLP, + click shares of own total': mean_logit(share_trees, share_net),
        'baseline with click shares': dc.baseline(xs, y)(zs),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--features', required=True)
    args = parser.parse_args(argv)
    threadpool_limits(1)
    torch.set_num_threads(1)
    train = with_shares(temporal_split(load_matrix(args.features)).train)
    cells: dict[str, list[tuple[float, float]]] = {}
    for fold in dc.FOLDS:
        rows, held = train[train.presentation != fold], train[train.presentation == fold]
        held = held[held.as_of_day.isin([week_day(w) for w in dc.WEEKS])]
        scores = fold_scores(rows, held)
        for week in dc.WEEKS:
            at = (held.as_of_day == week_day(week)).to_numpy()
            y = held.label_success.to_numpy(np.float64)[at]
            reference = metrics.auc(y, scores['baseline'][at])
            for name, p in scores.items():
                if name != 'baseline':
                    cells.setdefault(name, []).append((metrics.auc(y, p[at]), reference))
        print(f'{fold} done', file=sys.stderr, flush=True)
    print('AUC on the held-out presentation (gain over the plain LR on the shipped features)')
    print(dc.header('candidate').rsplit('   mean AUC', 1)[0] + '   mean AUC  mean gain')
    for name, values in cells.items():
        auc, ref = (np.array(v) for v in zip(*values))
        print(f'{name:46s}' + ''.join(f'{a:.3f} ({a - b:+.3f})'.rjust(17)
                                      for a, b in zip(auc, ref))
              + f'{auc.mean():11.4f}{(auc - ref).mean():+11.4f}', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
