"""What the Duplication page shows, as tables and sentences (the page only draws them).

The page reads reviews and score weights through here, never the store directly.
"""

from __future__ import annotations

import pandas as pd

from icat_analysis.analyses import duplication, duplication_fit
from icat_analysis.filters import Filters
from icat_analysis.store import reviews, score_weights

latest_reviews = reviews.latest_reviews
without_reviewed = reviews.without_reviewed
review_history = reviews.history
reviews_csv = reviews.reviews_csv
weights_in_use = duplication_fit.weights_in_use

HOTSPOT_CAPTION = (
    "A pair counts in every country and under every theme both activities share. Budget involved: the "
    "activities' budgets, each counted once per country (regional budgets are not split)."
)
CURVE_CAPTION = (
    "Precision (of the pairs listed, the share that are planted duplicates) and recall (of the planted "
    "duplicates, the share listed) per least score, on synthetic demo exports with planted duplicates that "
    "vary as agencies report and as many hard decoys (docs/DUPLICATION.md)."
)
SIDE_BY_SIDE = "Both activities in full, side by side: ✓ both list it, ≈ the other lists a related code."
HOTSPOT_LABELS = {
    "country": "Country",
    "theme": "Theme",
    "pairs": "Pairs",
    "activities": "Activities involved",
    "agencies": "Agencies",
    "n_agencies": "Number of agencies",
    "budget_usd": "Budget involved (USD)",
    "top_score": "Highest score",
}
#: The two activities of a pair, as both the open and the reviewed lists name them.
PAIR_LABELS = {
    "activity_id_a": "Activity A",
    "lead_a": "Lead A",
    "title_a": "Title A",
    "activity_id_b": "Activity B",
    "lead_b": "Lead B",
    "title_b": "Title B",
}
OPEN_LABELS = {"band": "Band", "score": "Score", **PAIR_LABELS, "reasons": "Why they look alike"}
DONE_LABELS = {
    "verdict": "Verdict",
    **PAIR_LABELS,
    "note": "Note",
    "reviewer": "Reviewer",
    "reviewed_at": "When (UTC)",
    "reviews": "Reviews",
}


def weights_key(weights: dict[str, float]) -> tuple[tuple[str, float], ...]:
    """Weights as a hashable cache key."""
    return tuple(sorted((k, round(float(v), 6)) for k, v in weights.items()))


def agency_sentence(f: Filters) -> str | None:
    """What an agency filter means on this page."""
    if not f.agencies:
        return None
    return (
        f"Agency filter: pairs that involve an activity of {', '.join(f.agencies)}; "
        "the other side of a pair may be any agency's."
    )


def hotspot_table(by_country: pd.DataFrame) -> pd.DataFrame:
    return by_country.drop(columns=["iso3"]).rename(columns=HOTSPOT_LABELS)


def theme_table(scored: pd.DataFrame) -> pd.DataFrame:
    by_theme = duplication.hotspots_by_country_theme(scored)
    return by_theme.drop(columns=["iso3", "n_agencies"]).rename(columns=HOTSPOT_LABELS)


def hotspot_summary(scored: pd.DataFrame) -> dict:
    """What the Hot-spots tab and the page's tiles show of the scored pairs: the countries
    (``by_country``, and as the two tables), how many distinct pairs and which lead agencies."""
    by_country = duplication.hotspots_by_country(scored)
    return {
        "by_country": by_country,
        "country_table": hotspot_table(by_country),
        "theme_table": theme_table(scored),
        "pairs": scored[["activity_id_a", "activity_id_b"]].drop_duplicates().shape[0] if len(scored) else 0,
        "agencies": sorted(set(scored["lead_a"]) | set(scored["lead_b"])) if len(scored) else [],
    }


def open_table(pairs: pd.DataFrame) -> pd.DataFrame:
    out = pairs[list(OPEN_LABELS)].rename(columns=OPEN_LABELS)
    out["Score"] = out["Score"].astype(float).round(2)
    return out


def done_table(done: pd.DataFrame) -> pd.DataFrame:
    return done[list(DONE_LABELS)].rename(columns=DONE_LABELS)


def pair_label(pair) -> str:
    return f"{pair.activity_id_a} and {pair.activity_id_b} (score {pair.score:.2f}, {pair.band})"


def curve_sets() -> list[tuple[str, pd.DataFrame]]:
    """The precision-recall curve per development set, and the row at the default threshold."""
    curve = duplication.calibration()
    return [(name, one.reset_index(drop=True)) for name, one in curve.groupby("development_set", sort=False)]


def curve_sentence(one: pd.DataFrame) -> str:
    row = one[one["threshold"].round(2) == round(duplication.DEFAULT_THRESHOLD, 2)].iloc[0]
    return (
        f"At the default {duplication.DEFAULT_THRESHOLD:.2f}: {int(row['listed'])} pairs listed, "
        f"{int(row['duplicates_listed'])} of them planted duplicates: precision {row['precision']:.2f}, "
        f"recall {row['recall']:.2f}."
    )


def teaching(con, data_dir, latest: pd.DataFrame) -> dict:
    """What the page says about re-fitting the weights from reviews: the weights in use, the
    fitted ones (None with too few reviews), how many reviews, and the accepted versions."""
    in_use = weights_in_use(data_dir)
    fitted = duplication_fit.refit(con, latest) if len(latest) >= duplication_fit.MIN_REVIEWS else None
    versions = pd.DataFrame(score_weights.history(data_dir))
    return {
        "in_use": in_use,
        "fitted": fitted,
        "table": duplication_fit.weights_table(in_use, fitted["weights"] if fitted else None),
        "versions": versions,
        "sentence": (
            f"{len(latest)} pairs reviewed; weights can be fitted from {duplication_fit.MIN_REVIEWS} "
            "reviews with both duplicates and other verdicts."
            if fitted is None
            else f"Fitted from {fitted['reviews']} reviews: the verdicts give even odds at a score of "
            f"{fitted['even_odds']:.2f}. The page uses them only once you accept them."
        ),
    }


accept_fitted = duplication_fit.accept_fitted
restore_previous = duplication_fit.restore_previous
