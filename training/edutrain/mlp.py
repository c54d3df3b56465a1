"""project_2911: a small neural network (PyTorch) that also reads click volumes.

It sees everything project_2411_clf sees plus eight click counts (total, before the start,
last 7 and 14 days, and by activity type), all on a log scale. Click volumes differ between
modules, so this model is the more module-sensitive of the two click models.
"""
import inspect
import io
import time
import warnings

import numpy as np
import onnx
import torch

from . import metrics
from .data import Split, inner_split, matrix
from .model import WITH_CLICK_VOLUME, Trained, best_epoch
from .transforms import LogStandardiser

HIDDEN = (32, 16)
MAX_EPOCHS = 40
BATCH = 512
LEARNING_RATE = 1e-3
WEIGHT_DECAY = 1e-4


class Net(torch.nn.Module):
    """log1p on count columns, standardisation, then ReLU layers and a sigmoid: the input
    transform lives in the network so the exported graph takes raw app features."""

    def __init__(self, scaler: LogStandardiser):
        super().__init__()
        self.register_buffer('log_mask', torch.tensor(scaler.log_mask, dtype=torch.bool))
        self.register_buffer('mean', torch.tensor(scaler.mean, dtype=torch.float32))
        self.register_buffer('scale', torch.tensor(scaler.scale, dtype=torch.float32))
        width, layers = len(scaler.mean), []
        for size in HIDDEN:
            layers += [torch.nn.Linear(width, size), torch.nn.ReLU()]
            width = size
        layers.append(torch.nn.Linear(width, 1))
        self.layers = torch.nn.Sequential(*layers)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        t = torch.where(self.log_mask, torch.log1p(torch.clamp(x, min=0.0)), x)
        return self.layers((t - self.mean) / self.scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.logits(x))


def scores(net: Net, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return net(torch.from_numpy(np.ascontiguousarray(x, np.float32))).numpy()[:, 0]


def fit(x, y, scaler, epochs, seed, val=None):
    """Adam on mini-batches; the batch order of each epoch is seeded, so runs repeat."""
    torch.manual_seed(seed)
    net = Net(scaler)
    optimiser = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    loss = torch.nn.BCEWithLogitsLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.float32))[:, None]
    rows = []
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(xt), generator=torch.Generator().manual_seed(seed + epoch))
        net.train()
        for start in range(0, len(xt), BATCH):
            batch = order[start:start + BATCH]
            optimiser.zero_grad()
            loss(net.logits(xt[batch]), yt[batch]).backward()
            optimiser.step()
        net.eval()
        if val is not None:
            p, q = scores(net, x), scores(net, val[0])
            rows.append({'epoch': epoch, 'train_loss': metrics.log_loss(y, p),
                         'val_loss': metrics.log_loss(val[1], q),
                         'train_mae': metrics.mae(y, p), 'val_mae': metrics.mae(val[1], q)})
    return net, rows


def to_onnx(net: torch.nn.Module, width: int, output: str = 'probability') -> onnx.ModelProto:
    buffer = io.BytesIO()
    options = {}
    # torch 2 defaults to the dynamo exporter; the TorchScript one is what this graph needs.
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        options['dynamo'] = False
    with warnings.catch_warnings():
        # torch 1.13 warns about shape inference of constants; the graph is checked below.
        warnings.simplefilter('ignore', UserWarning)
        torch.onnx.export(net, torch.zeros(2, width), buffer, input_names=['features'],
                          output_names=[output], opset_version=17,
                          dynamic_axes={'features': {0: 'N'}, output: {0: 'N'}},
                          **options)
    model = onnx.load_from_string(buffer.getvalue())
    model.doc_string = 'project_2911: MLP on coursework, engagement and click volumes'
    onnx.checker.check_model(model)
    return model


def fit_selected(split: Split, seed: int, features: list[str]):
    """(net, log, epochs): epochs are chosen on inner-validation enrolments; the returned
    network is retrained on every training row for that many epochs, from the same seed."""
    x, y = matrix(split.train, features), split.train.label_success.to_numpy(np.float64)
    held = inner_split(split.train, seed)
    inner = LogStandardiser.fit(x[~held], features)
    _, log = fit(x[~held], y[~held], inner, MAX_EPOCHS, seed, (x[held], y[held]))
    epochs = best_epoch(log)
    net, _ = fit(x, y, LogStandardiser.fit(x, features), epochs, seed)
    return net, log, epochs


def train(split: Split, seed: int) -> Trained:
    started = time.perf_counter()
    features = WITH_CLICK_VOLUME
    net, log, epochs = fit_selected(split, seed, features)

    return Trained(
        name='project_2911', metric='m2_success', kind='classifier',
        description='Neural network (MLP) on coursework, engagement days and click volumes',
        features=features, output='probability', predict=lambda rows: scores(net, rows),
        graph=to_onnx(net, len(features)), log=log,
        method=f'PyTorch MLP {len(features)}-{"-".join(map(str, HIDDEN))}-1 (ReLU, sigmoid '
        f'output) on log1p(counts) and standardised inputs; Adam (lr {LEARNING_RATE}, weight '
        f'decay {WEIGHT_DECAY}, batch {BATCH}), binary cross-entropy. {epochs} epochs, chosen '
        f'by validation log-loss on 20% of training enrolments (up to {MAX_EPOCHS}); retrained '
        'on all training rows. Log: one row per epoch of the selection run.',
        intended_use=(
            'm2_success for presentations with click data when click volume matters to the '
            'analyst (e.g. a module like the training ones); a second opinion next to '
            'project_2411_clf, which transfers better between modules.'),
        needs=('Everything project_2411_clf needs plus click counts: total, before the start, '
               'last 7 and 14 days, and by activity type (content, forum, quiz, homepage). '
               'Not gender, disability or region.'),
        selection={'epochs': epochs, 'maxEpochs': MAX_EPOCHS, 'hidden': list(HIDDEN)},
        seconds=time.perf_counter() - started)
