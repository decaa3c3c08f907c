"""How well the duplicate score works, and weights re-fitted from planners' reviews.

- :func:`precision_recall`: at each threshold, of the pairs listed how many are known
  duplicates (precision), and of the known duplicates how many are listed (recall).
- :func:`fit_weights`: a logistic regression of the reviewers' verdicts (duplicate or not)
  on the six parts of the score, in numpy (Newton's method with a small ridge). Its
  coefficients, negative ones set to 0 and scaled to add up to 1, are weights of the same
  kind as the documented ones, so the score stays a weighted mean of parts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from icat_analysis.analyses.duplication import DEFAULT_THRESHOLD, PARTS, WEIGHTS, pair_scores
from icat_analysis.store import duplicate_index, score_weights

#: Reviews needed before weights can be fitted from them.
MIN_REVIEWS = 20
#: Ridge on the coefficients: keeps the fit finite when the verdicts separate perfectly.
RIDGE = 1.0


def precision_recall(scores, is_duplicate, n_duplicates: int, thresholds) -> pd.DataFrame:
    """Per threshold: pairs listed, known duplicates among them, precision and recall.

    ``scores`` and ``is_duplicate`` are the pairs the search found (at the lowest threshold);
    ``n_duplicates`` counts every known duplicate, found or not, so recall counts misses.
    """
    scores = np.asarray(scores, dtype=float)
    dup = np.asarray(is_duplicate, dtype=bool)
    rows = []
    for t in thresholds:
        listed = scores >= t - 1e-9
        hits = int((listed & dup).sum())
        n = int(listed.sum())
        rows.append(
            {
                "threshold": round(float(t), 2),
                "listed": n,
                "duplicates_listed": hits,
                "precision": hits / n if n else 1.0,
                "recall": hits / n_duplicates if n_duplicates else 1.0,
            }
        )
    return pd.DataFrame(rows)


def fit_weights(parts: pd.DataFrame, is_duplicate) -> tuple[dict[str, float], float]:
    """Weights from verdicts: logistic regression of duplicate (1) or not (0) on the parts.

    Returns the weights (adding up to 1) and the score at which the fitted model gives even
    odds (a threshold the verdicts suggest).
    """
    x = parts[list(PARTS)].to_numpy(dtype=float)
    y = np.asarray(is_duplicate, dtype=float)
    design = np.column_stack([np.ones(len(x)), x])
    beta = np.zeros(design.shape[1])
    ridge = np.full(design.shape[1], RIDGE)
    ridge[0] = 0.0  # the intercept is not shrunk
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        grad = design.T @ (y - p) - ridge * beta
        hess = (design * (p * (1 - p))[:, None]).T @ design + np.diag(ridge) + 1e-9 * np.eye(len(beta))
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    coef = np.maximum(beta[1:], 0.0)
    if coef.sum() <= 0:
        raise ValueError("the reviews give no part a positive weight: the verdicts do not follow the parts")
    weights = dict(zip(PARTS, (coef / coef.sum()).tolist()))
    even_odds = float(np.clip(-beta[0] / coef.sum(), 0.0, 1.0))
    return weights, even_odds


def reviewed_parts(con, latest: pd.DataFrame, weights: dict[str, float] | None = None) -> pd.DataFrame:
    """The parts of each reviewed pair, with ``duplicate`` (the verdict was duplicate)."""
    if latest.empty:
        return pd.DataFrame(columns=["activity_id_a", "activity_id_b", *PARTS, "score", "duplicate"])
    scored = pair_scores(con, list(zip(latest["activity_id_a"], latest["activity_id_b"])), weights)
    verdicts = latest[["activity_id_a", "activity_id_b", "verdict"]]
    out = scored.merge(verdicts, on=["activity_id_a", "activity_id_b"])
    out["duplicate"] = out["verdict"].eq("duplicate")
    return out.drop(columns="verdict")


def refit(con, latest: pd.DataFrame) -> dict | None:
    """Weights fitted from the latest reviews, or None with fewer than :data:`MIN_REVIEWS`
    scorable reviews or only one kind of verdict."""
    parts = reviewed_parts(con, latest)
    if len(parts) < MIN_REVIEWS or parts["duplicate"].nunique() < 2:
        return None
    weights, even_odds = fit_weights(parts, parts["duplicate"])
    return {"weights": weights, "even_odds": even_odds, "reviews": int(len(parts))}


#: The weights accepted for this export (``score_weights.jsonl``), else the documented ones.
weights_in_use = duplicate_index.weights_in_use


def accept_fitted(data_dir, fitted: dict, by: str) -> dict:
    """Put fitted weights (:func:`refit`) in use, as a new version; the stored hot-spot index
    follows them (:func:`icat_analysis.store.duplicate_index.follow_weights`)."""
    entry = score_weights.accept(
        data_dir,
        fitted["weights"],
        threshold=fitted["even_odds"],
        reviews=fitted["reviews"],
        by=by,
        note=f"fitted from {fitted['reviews']} reviews",
    )
    duplicate_index.follow_weights(data_dir, by)
    return entry


def restore_previous(data_dir, by: str) -> dict:
    """Put the weights in use before the current ones back (the documented ones before the
    first); the stored hot-spot index follows them."""
    entry = score_weights.restore_previous(data_dir, WEIGHTS, DEFAULT_THRESHOLD, by=by)
    duplicate_index.follow_weights(data_dir, by)
    return entry


def weights_table(old: dict[str, float], new: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per part: its weight in use and, when given, the fitted one."""
    out = pd.DataFrame({"part": [p.replace("_", " ").capitalize() for p in PARTS], "in use": [old[p] for p in PARTS]})
    if new is not None:
        out["fitted from reviews"] = [new[p] for p in PARTS]
    return out
