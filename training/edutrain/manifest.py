"""The manifest (`models/<name>.json`), read by src/main/engine/models/manifest.ts."""
from . import onnx_graphs as og
from .data import Split
from .model import Trained

SPLIT_TEXT = (
    'Temporal: trained on every presentation that started no later than {evaluation} '
    '(2013B, and the other modules\' 2013J presentations), evaluated on {evaluation}, which '
    'no training or selection step saw. Features at the ends of weeks 1..10 (days 6, 13, …, '
    '69), one row per enrolment and week. AAA-2014J is not used at all: its clicks are held '
    'back for an independent check.')

CLASSIFIER_BASELINE = (
    'auc_baseline_lr, brier_baseline_lr, ece_baseline_lr: a plain logistic regression '
    '(standardised inputs, C = 1, no transforms) on the same features and training rows.')
REGRESSOR_BASELINE = (
    'mae_naive: every enrolment scored with the training mean (naivePrediction); '
    'mae_baseline_linear: ridge regression on the same features and training rows.')


def build_manifest(trained: Trained, split: Split, evaluation: list[dict], fairness: dict,
                   limits: dict, naive: float, recommended: bool) -> dict:
    train = split.train
    with_clicks = sorted(train[train.click_data_available == 1].presentation.unique())
    card = {
        'intendedUse': trained.intended_use,
        'recommended': recommended,
        'trainingData': (
            f'OULAD (Kuzilek et al. 2017, CC BY 4.0): {train.presentation.nunique()} '
            f'presentations, {train.groupby("presentation").student.nunique().sum()} '
            f'enrolments, {len(train)} rows; click data only for {", ".join(with_clicks)}.'),
        'split': SPLIT_TEXT.format(evaluation=split.evaluation_presentation),
        'needs': trained.needs,
        'limits': limits,
        'fairness': fairness,
        'method': trained.method,
        'selection': trained.selection,
        'baseline': CLASSIFIER_BASELINE if trained.kind == 'classifier' else REGRESSOR_BASELINE,
        'trainingSeconds': round(trained.seconds, 1),
        'trainingLog': f'{trained.name}.training-log.csv',
        'parityVectors': f'{trained.name}.vectors.json',
        'onnx': {'opset': og.OPSET, 'mlOpset': og.ML_OPSET},
        'validRange': 'Trained on days 6..69 (weeks 1..10); later days are scored with the '
                      'week-10 relationships and are an extrapolation.',
    }
    if trained.kind == 'regressor':
        card['naivePrediction'] = round(naive, 6)
    return {
        'name': trained.name,
        'metric': trained.metric,
        'kind': trained.kind,
        'description': trained.description,
        'file': f'{trained.name}.onnx',
        'input': 'features',
        'output': trained.output,
        'features': trained.features,
        'trainedOn': split.train_presentations,
        'evaluatedOn': [split.evaluation_presentation],
        'evaluation': evaluation,
        'card': card,
    }
