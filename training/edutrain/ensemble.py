"""project_2411_clf as an ensemble (opt-in: `train.py --ensemble`): the mean log-odds of the
boosted trees from a logistic regression (gb_lr.py) and an MLP (mlp.py's architecture) on
the same features, then a sigmoid.

Two different learners err differently, so their average tends to rank better. The MLP here
reads the trees' features, not project_2911's click volumes: in the design check
(training/design_check.py, section `ensembles`) that pairing had the largest mean held-out
AUC and the lowest ECE, and it keeps the card's baseline (an LR on the same features).
"""
import time

import numpy as np
import onnx
import torch
from onnx import compose

from . import gb_lr, mlp, onnx_graphs as og
from .data import Split
from .model import WITH_ENGAGEMENT, Trained


class Logits(torch.nn.Module):
    """The network's log-odds, so the graph can average them with the trees' log-odds."""

    def __init__(self, net: mlp.Net):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net.logits(x)


def network_logit(g: og.GraphBuilder, net: mlp.Net, width: int) -> str:
    """Copies the exported network (renamed under `mlp_`) into g, fed by g's input."""
    sub = compose.add_prefix(mlp.to_onnx(Logits(net), width, output='logit'), 'mlp_')
    for node in sub.graph.node:
        node.input[:] = [g.input if name == 'mlp_features' else name for name in node.input]
        g.nodes.append(node)
    g.initializers.extend(sub.graph.initializer)
    return 'mlp_logit'


def to_onnx(trees, net: mlp.Net, features: list[str]) -> onnx.ModelProto:
    g = og.GraphBuilder('features', len(features))
    total = g.op('Add', [gb_lr.logit_graph(g, trees, 'features'),
                         network_logit(g, net, len(features))])
    mean = g.op('Mul', [total, g.const('half', np.array([0.5], np.float32))])
    g.op('Sigmoid', [mean], output='probability')
    return g.model('probability', 'project_2411_clf: mean log-odds of boosted trees from a '
                   'logistic regression and an MLP')


def predictor(trees, net: mlp.Net):
    def predict(rows: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            b = net.logits(torch.from_numpy(np.ascontiguousarray(rows, np.float32)))
        mean = (trees.decision_function(rows) + b.numpy()[:, 0].astype(np.float64)) / 2
        return 1.0 / (1.0 + np.exp(-mean))
    return predict


def train(split: Split, seed: int) -> Trained:
    started = time.perf_counter()
    features = WITH_ENGAGEMENT
    trees, log, rounds = gb_lr.fit_selected(split, seed, features)
    net, _, epochs = mlp.fit_selected(split, seed, features)
    return Trained(
        name='project_2411_clf', metric='m2_success', kind='classifier',
        description='Ensemble: boosted trees on top of a logistic regression, and an MLP, on '
        'coursework, engagement days and background',
        features=features, output='probability', predict=predictor(trees, net),
        graph=to_onnx(trees, net, features), log=log,
        method='Sigmoid of the mean log-odds of two learners on the same inputs. (1) sklearn '
        f'GradientBoostingClassifier ({rounds} rounds of depth-{gb_lr.PARAMS["max_depth"]} '
        f'trees, learning rate {gb_lr.PARAMS["learning_rate"]}, subsample '
        f'{gb_lr.PARAMS["subsample"]}, min_samples_leaf {gb_lr.PARAMS["min_samples_leaf"]}) '
        'starting from an L2 logistic regression on log1p(counts) and standardised inputs. '
        f'(2) PyTorch MLP {len(features)}-{"-".join(map(str, mlp.HIDDEN))}-1 (ReLU) on '
        f'log1p(counts) and standardised inputs, Adam, {epochs} epochs. Rounds and epochs '
        'chosen by validation log-loss on 20% of training enrolments (up to '
        f'{gb_lr.MAX_ROUNDS} and {mlp.MAX_EPOCHS}); both refit on all training rows. Log: one '
        'row per boosting round of the trees\' selection fit.',
        intended_use=gb_lr.INTENDED_USE, needs=gb_lr.NEEDS,
        selection={'rounds': rounds, 'maxRounds': gb_lr.MAX_ROUNDS, **gb_lr.PARAMS,
                   'epochs': epochs, 'maxEpochs': mlp.MAX_EPOCHS, 'hidden': list(mlp.HIDDEN),
                   'combine': 'mean log-odds'},
        seconds=time.perf_counter() - started)
