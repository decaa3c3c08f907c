"""Reviews teach the score: weights fitted from verdicts, accepted as a version, restorable."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from icat_analysis.analyses import duplication, duplication_fit
from icat_analysis.store import db, reviews, score_weights
from tests.factories import activity, make_export

COUNTRIES = "THA VNM KHM LAO MMR PHL IDN MYS NGA BEN GHA SEN MLI NER KEN UGA TZA ETH PER COL BOL ECU MEX GTM HND BRA".split()
SAME = "Training labour inspectors against forced labour in the fishing sector with the ministry of labour; 12 districts"
OTHER = "Training labour inspectors against forced labour in schools with the ministry of health; 7 districts"


def _export(tmp_path):
    """26 pairs in 26 countries: the verdict follows the texts (duplicate when they name the same
    setting, ministry and figures), while the overlap in time varies whatever the verdict."""
    rng = random.Random(4)
    rows, verdicts = [], []
    for i, iso3 in enumerate(COUNTRIES):
        dup = i % 2 == 0
        start = date(2015, 1, 1) + timedelta(days=rng.randrange(0, 700))
        codes = dict(activity_types=["capacity_building"], target_groups=["labour_inspectors"],
                     exploitation_forms=["forced_labour"], countries=[iso3])  # fmt: skip
        rows.append(activity(f"A{i:02d}", lead="ILO", start="2015-01-01", end="2017-12-31", description=SAME, **codes))
        rows.append(activity(f"B{i:02d}", lead="IOM", start=start.isoformat(), end=(start + timedelta(days=1095)).isoformat(),
                             description=SAME if dup else OTHER, **codes))  # fmt: skip
        verdicts.append((f"A{i:02d}", f"B{i:02d}", "duplicate" if dup else "complementary"))
    make_export(tmp_path, rows)
    for a, b, verdict in verdicts:
        reviews.add_review(tmp_path, a, b, verdict, "Planner")
    return db.connect(tmp_path)


def test_reviews_move_the_fitted_weights_towards_what_the_verdicts_follow(tmp_path):
    con = _export(tmp_path)
    latest = reviews.latest_reviews(tmp_path)
    assert len(latest) == 26 >= duplication_fit.MIN_REVIEWS
    fitted = duplication_fit.refit(con, latest)
    assert fitted is not None and fitted["reviews"] == 26
    new, old = fitted["weights"], duplication.WEIGHTS
    assert sum(new.values()) == pytest.approx(1.0)
    assert new["text"] > old["text"]  # the verdicts follow the texts ...
    assert new["time"] < old["time"]  # ... not the overlap in time


def test_too_few_reviews_fit_nothing(tmp_path):
    con = _export(tmp_path)
    latest = reviews.latest_reviews(tmp_path).head(duplication_fit.MIN_REVIEWS - 1)
    assert duplication_fit.refit(con, latest) is None


def test_accepted_weights_are_versioned_and_restoring_restores_the_scores(tmp_path):
    con = _export(tmp_path)
    latest = reviews.latest_reviews(tmp_path)
    ids = list(zip(latest["activity_id_a"], latest["activity_id_b"]))
    before = duplication.pair_scores(con, ids, duplication_fit.weights_in_use(tmp_path))
    assert duplication_fit.weights_in_use(tmp_path) == duplication.WEIGHTS  # nothing accepted yet

    fitted = duplication_fit.refit(con, latest)
    entry = duplication_fit.accept_fitted(tmp_path, fitted, "Planner")
    assert entry["version"] == 1 and entry["reviews"] == 26
    assert (tmp_path / "score_weights.jsonl").exists() and (tmp_path / "reviews.jsonl").exists()
    in_use = duplication_fit.weights_in_use(tmp_path)
    assert in_use == pytest.approx(fitted["weights"], abs=1e-5)
    after = duplication.pair_scores(con, ids, in_use)
    assert after["score"].tolist() != pytest.approx(before["score"].tolist())

    restored = duplication_fit.restore_previous(tmp_path, "Planner")
    assert restored["version"] == 2 and restored["note"] == "restored the documented weights"
    again = duplication.pair_scores(con, ids, duplication_fit.weights_in_use(tmp_path))
    assert again["score"].tolist() == pytest.approx(before["score"].tolist())
    assert [e["version"] for e in score_weights.history(tmp_path)] == [1, 2]
    with pytest.raises(ValueError):
        score_weights.accept(tmp_path, in_use, threshold=0.8, reviews=26, by=" ", note="")
