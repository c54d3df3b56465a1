#!/usr/bin/env bash
# Retrains every shipped model from scratch: builds the app, imports OULAD into a throwaway
# SQLite store, exports the feature matrix with the app's own feature code, then trains.
#   training/train.sh                      # data from ../shared/data/oulad, models into models/
#   OULAD_DIR=/data/oulad MODELS_DIR=/tmp/m training/train.sh
set -euo pipefail
cd "$(dirname "$0")/.."

OULAD_DIR=${OULAD_DIR:-../shared/data/oulad}
MODELS_DIR=${MODELS_DIR:-models}
WORK_DIR=$(mktemp -d)
trap 'rm -rf "$WORK_DIR"' EXIT

npx tsc -p tsconfig.node.json
node bin/edutech.js --db "$WORK_DIR/train.db" import oulad "$OULAD_DIR"
node bin/edutech.js --db "$WORK_DIR/train.db" features export -o "$WORK_DIR/features.csv"
/usr/bin/python3 training/train.py --features "$WORK_DIR/features.csv" --out "$MODELS_DIR" "$@"
