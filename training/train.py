#!/usr/bin/python3
"""Retrains every shipped model from the app's exported feature matrix.

    /usr/bin/python3 training/train.py --features /tmp/features.csv --out models/

Writes, per model: <name>.onnx, <name>.json (manifest and card), <name>.vectors.json (parity
vectors) and <name>.training-log.csv; then models/README.md. Seeded: the same CSV gives the
same graphs, vectors and metrics (only trainingSeconds differs).
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import pandas as pd
import torch

from threadpoolctl import threadpool_limits

from edutrain import ensemble, evaluation, hgb_progress, lr_noclick, mlp
from edutrain.data import feature_columns, load_matrix, temporal_split
from edutrain.manifest import build_manifest
from edutrain.model import write_log
from edutrain.readme import write_readme
from edutrain.vectors import parity_vectors

SEED = 20240611
RECOMMENDED = 'project_2411_clf'
# In the order models/README.md lists them.
TRAINERS = {
    # Trees + MLP averaged on the log-odds scale: the design check's pick (training/README.md).
    'project_2411_clf': ensemble.train,
    'project_2911': mlp.train,
    'project_1911': lr_noclick.train,
    'project_1611': hgb_progress.train,
}


def write_json(path: str, value) -> None:
    with open(path, 'w') as f:
        json.dump(value, f, indent=2, allow_nan=False)
        f.write('\n')


def run(name: str, split, all_features: list[str], out: str) -> dict:
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    trained = TRAINERS[name](split, SEED)
    label = 'label_success' if trained.metric == 'm2_success' else 'label_progress'
    naive = float(split.train[label].mean())

    manifest = build_manifest(
        trained, split, evaluation.weekly(trained, split, naive),
        evaluation.fairness(trained, split), evaluation.limits(trained, split), naive,
        recommended=name == RECOMMENDED)
    vectors = parity_vectors(trained, vector_pool(split), all_features, SEED)

    with open(os.path.join(out, f'{name}.onnx'), 'wb') as f:
        f.write(trained.graph.SerializeToString())
    write_json(os.path.join(out, f'{name}.json'), manifest)
    write_json(os.path.join(out, f'{name}.vectors.json'), vectors)
    write_log(os.path.join(out, f'{name}.training-log.csv'), trained.log)
    return manifest


def vector_pool(split) -> pd.DataFrame:
    """Rows parity vectors are drawn from: three of every training presentation and forty of
    the evaluation presentation, so both click and no-click rows are among them."""
    train = split.train.sample(frac=1.0, random_state=SEED).groupby('presentation').head(3)
    return pd.concat([train, split.evaluation.sample(n=40, random_state=SEED)])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--features', help='CSV from `edutech features export`')
    parser.add_argument('--out', default='models', help='models folder to write')
    parser.add_argument('--only', help='comma-separated model names (default: all)')
    parser.add_argument('--readme-only', action='store_true',
                        help="rewrite the folder's README.md from its manifests; train nothing")
    args = parser.parse_args(argv)
    if args.readme_only:
        # The page is generated, so a change to its fixed text goes into edutrain/readme.py
        # and reaches models/README.md this way, without a retrain that would move the figures.
        print(f'wrote {write_readme(args.out)}')
        return 0
    if not args.features:
        parser.error('--features is required (or --readme-only)')

    names = args.only.split(',') if args.only else list(TRAINERS)
    unknown = [n for n in names if n not in TRAINERS]
    if unknown:
        parser.error(f'unknown model(s) {", ".join(unknown)}; known: {", ".join(TRAINERS)}')
    os.makedirs(args.out, exist_ok=True)

    # One thread: runs repeat exactly, and the machine is shared.
    threadpool_limits(1)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    started = time.perf_counter()
    frame = load_matrix(args.features)
    split = temporal_split(frame)
    print(f'read {len(frame)} rows in {time.perf_counter() - started:.1f} s; training on '
          f'{len(split.train_presentations)} presentations, evaluating on '
          f'{split.evaluation_presentation}', flush=True)
    for name in names:
        manifest = run(name, split, feature_columns(frame), args.out)
        print(f'{name}: {manifest["card"]["trainingSeconds"]} s', flush=True)
        for record in manifest['evaluation']:
            print('  ' + ' '.join(f'{k}={v}' for k, v in record.items()), flush=True)
    print(f'wrote {write_readme(args.out)}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
