"""The exported feature matrix, the temporal split and the inner validation split.

The matrix comes from `edutech features export` (the app's one feature implementation), so the
training side never recomputes a feature. Columns: the metadata below, then every feature of
src/main/engine/features/definitions.ts in order.
"""
from dataclasses import dataclass

import numpy as np
import pandas as pd

META_COLUMNS = [
    'presentation', 'student', 'as_of_day', 'final_result', 'gender', 'disability',
    'label_success', 'label_progress',
]
WEEKS = list(range(1, 11))

# The presentation every model is evaluated on: the latest one with click data here.
EVALUATION_PRESENTATION = 'BBB-2013J'
# Its clicks are held back from the data folder for an independent check of the models, so the
# rest of it is never used for training, selection or any reported figure either.
RESERVED_PRESENTATIONS = frozenset({'AAA-2014J'})


def week_day(week: int) -> int:
    """The as-of day of the end of a week, as the app resolves `score <model> <student> <week>`."""
    return 7 * week - 1


def presentation_order(key: str) -> tuple[int, int]:
    """`BBB-2013J` → (2013, 1): B presentations start in February, J ones in October."""
    code = key.split('-')[1]
    return int(code[:4]), 0 if code[4] == 'B' else 1


@dataclass
class Split:
    """Rows for training (earlier presentations) and for evaluation (the later one)."""
    train: pd.DataFrame
    evaluation: pd.DataFrame
    # Later presentations without click data, for the `noClickData` limit of each card.
    later_without_clicks: pd.DataFrame
    train_presentations: list[str]
    evaluation_presentation: str


def load_matrix(path: str) -> pd.DataFrame:
    """Reads the exported CSV; feature columns become float32, as the app feeds ONNX."""
    frame = pd.read_csv(path, dtype={'presentation': str, 'final_result': str,
                                     'gender': str, 'disability': str})
    features = [c for c in frame.columns if c not in META_COLUMNS]
    frame[features] = frame[features].astype(np.float32)
    return frame.sort_values(['presentation', 'student', 'as_of_day'], kind='stable')\
        .reset_index(drop=True)


def feature_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in META_COLUMNS]


def temporal_split(frame: pd.DataFrame, evaluation: str = EVALUATION_PRESENTATION) -> Split:
    """Train on every presentation that started no later than `evaluation` (same-semester
    presentations of other modules included), evaluate on `evaluation` itself."""
    frame = frame[~frame.presentation.isin(RESERVED_PRESENTATIONS)]
    cutoff = presentation_order(evaluation)
    presentations = sorted(frame.presentation.unique())
    train = [p for p in presentations if presentation_order(p) <= cutoff and p != evaluation]
    later = [p for p in presentations if presentation_order(p) > cutoff]
    later_rows = frame[frame.presentation.isin(later)]
    return Split(
        train=frame[frame.presentation.isin(train)].reset_index(drop=True),
        evaluation=frame[frame.presentation == evaluation].reset_index(drop=True),
        later_without_clicks=later_rows[later_rows.click_data_available == 0]
        .reset_index(drop=True),
        train_presentations=train,
        evaluation_presentation=evaluation,
    )


def inner_split(train: pd.DataFrame, seed: int, share: float = 0.2) -> np.ndarray:
    """A boolean mask of inner-validation rows: whole enrolments (all their weeks), so no
    enrolment is on both sides. It picks the number of boosting rounds or epochs."""
    keys = train.presentation + ':' + train.student.astype(str)
    unique = np.array(sorted(keys.unique()))
    rng = np.random.default_rng(seed)
    chosen = set(unique[rng.random(len(unique)) < share])
    return keys.isin(chosen).to_numpy()


def matrix(frame: pd.DataFrame, features: list[str]) -> np.ndarray:
    return np.ascontiguousarray(frame[features].to_numpy(dtype=np.float32))
