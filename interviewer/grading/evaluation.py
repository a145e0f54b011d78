"""Agreement of grader scores with human scores: the numbers `interviewer eval` prints."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import stats


class EvalReport(BaseModel):
    """Agreement of a grader with human grades on one dataset; a statistic that is undefined is None, never NaN."""

    model_config = ConfigDict(extra="forbid")

    n: int = Field(description="Rows compared.")
    pearson: float | None = Field(description="Pearson r of grader score and human score (None: undefined).")
    spearman: float | None = Field(description="Spearman rho of grader score and human score (None: undefined).")
    mean_question_pearson: float | None = Field(description="Mean Pearson r within questions (those with variance).")
    rmse: float | None = Field(description="RMSE on the human scale after a linear calibration, leave-one-group-out.")
    within_one: float | None = Field(description="Share of calibrated predictions within 1 point of the human score.")
    human_scale: float = Field(description="Maximum of the human scale the RMSE is measured on.")
    groups: int = Field(description="Groups used for the cross-validation.")
    grader: str = Field(description="Grader that produced the scores.")
    undefined_because: str | None = Field(
        default=None, description="Why Pearson and Spearman are undefined (None when both are numbers)."
    )


def _finite(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _why_undefined(predicted: np.ndarray, human: np.ndarray) -> str | None:
    """Why a correlation of these scores has no value (None when it has one)."""
    if len(predicted) < 2:
        return f"only {len(predicted)} row(s) to correlate"
    if not np.all(np.isfinite(predicted)) or not np.all(np.isfinite(human)):
        return "some scores are not finite numbers"
    if np.ptp(predicted) == 0:
        return f"the grader gave every row the same score ({float(predicted[0]):g})"
    if np.ptp(human) == 0:
        return f"every human score is the same ({float(human[0]):g})"
    return None


def calibration_group(question_id: str, all_ids: Sequence[str]) -> str:
    """The cross-validation group: the part before the dot ('3' for '3.1') when that gives 2+ groups."""
    prefixes = {str(item).split(".", 1)[0] for item in all_ids}
    return str(question_id).split(".", 1)[0] if len(prefixes) >= 2 else str(question_id)


def leave_one_group_out_predictions(
    predicted: np.ndarray, human: np.ndarray, groups: Sequence[str]
) -> np.ndarray | None:
    """Each group's human-scale predictions from a line fit on the other groups (None with < 2 groups)."""
    labels = np.asarray(groups)
    unique = list(dict.fromkeys(labels))
    if len(unique) < 2:
        return None
    calibrated = np.empty_like(human, dtype=float)
    for group in unique:
        held_out = labels == group
        train_x, train_y = predicted[~held_out], human[~held_out]
        if np.ptp(train_x) == 0:
            slope, intercept = 0.0, float(train_y.mean())
        else:
            slope, intercept = np.polyfit(train_x, train_y, 1)
        calibrated[held_out] = slope * predicted[held_out] + intercept
    return calibrated


def evaluate(
    predicted: Sequence[float],
    human: Sequence[float],
    max_scores: Sequence[float],
    question_ids: Sequence[str],
    grader: str,
) -> EvalReport:
    """Pearson, Spearman, mean per-question Pearson, calibrated RMSE and ±1 share."""
    predicted_array = np.asarray(predicted, dtype=float)
    maxima = np.asarray(max_scores, dtype=float)
    scale = float(maxima[0]) if len(maxima) and np.all(maxima == maxima[0]) else 1.0
    human_array = np.asarray(human, dtype=float) / maxima * scale
    n = len(predicted_array)
    undefined_because = _why_undefined(predicted_array, human_array)
    pearson = spearman = None
    if undefined_because is None:
        pearson = _finite(stats.pearsonr(predicted_array, human_array).statistic)
        spearman = _finite(stats.spearmanr(predicted_array, human_array).statistic)
        if pearson is None or spearman is None:
            undefined_because = "the correlation of the scores is not a number"
            pearson = spearman = None
    by_question: dict[str, list[int]] = defaultdict(list)
    for index, question_id in enumerate(question_ids):
        by_question[str(question_id)].append(index)
    per_question = []
    for indices in by_question.values():
        if len(indices) >= 3 and np.ptp(predicted_array[indices]) > 0 and np.ptp(human_array[indices]) > 0:
            per_question.append(stats.pearsonr(predicted_array[indices], human_array[indices]).statistic)
    groups = [calibration_group(question_id, question_ids) for question_id in question_ids]
    calibrated = leave_one_group_out_predictions(predicted_array, human_array, groups)
    rmse = within_one = None
    if calibrated is not None:
        errors = calibrated - human_array
        rmse = _finite(float(np.sqrt(np.mean(errors**2))))
        within_one = float(np.mean(np.abs(errors) <= 1.0)) if rmse is not None else None
    return EvalReport(
        n=n,
        pearson=pearson,
        spearman=spearman,
        mean_question_pearson=_finite(float(np.mean(per_question))) if per_question else None,
        rmse=rmse,
        within_one=within_one,
        human_scale=scale,
        groups=len(set(groups)),
        grader=grader,
        undefined_because=undefined_because,
    )
