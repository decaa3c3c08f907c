"""A small hand-written set of labelled pairs, written apart from the demo generator: how the
score does on pairs that look like what agencies really report (tests/fixtures/duplication_pairs.csv)."""

from __future__ import annotations

import csv
from pathlib import Path

from icat_analysis.analyses import duplication
from icat_analysis.store import db
from tests.factories import activity, make_export

FIXTURE = Path(__file__).parent / "fixtures" / "duplication_pairs.csv"


def _split(value: str) -> list[str]:
    return [v for v in value.split(";") if v]


def _load() -> tuple[list[dict], dict[tuple[str, str], str]]:
    rows, labels = [], {}
    with open(FIXTURE, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            aid = f"H{int(r['pair']):02d}{r['side']}"
            rows.append(
                activity(
                    aid,
                    lead=r["lead"],
                    countries=_split(r["countries"]),
                    start=r["start"],
                    end=r["end"] or None,
                    budget=float(r["budget"]) if r["budget"] else None,
                    themes=_split(r["themes"]),
                    activity_types=_split(r["activity_types"]),
                    target_groups=_split(r["target_groups"]),
                    exploitation_forms=_split(r["exploitation_forms"]),
                    title=r["title"],
                    description=r["description"],
                )
            )
            pair = f"H{int(r['pair']):02d}"
            labels[(pair + "a", pair + "b")] = labels.get((pair + "a", pair + "b")) or r["label"]
    return rows, labels


def scored(tmp_path, threshold: float):
    rows, labels = _load()
    make_export(tmp_path, rows)
    pairs = duplication.duplicate_pairs(db.connect(tmp_path), threshold=threshold)
    return pairs, labels


def test_hand_written_pairs_precision_and_recall_at_the_default_threshold(tmp_path):
    pairs, labels = scored(tmp_path, duplication.DEFAULT_THRESHOLD)
    found = set(zip(pairs["activity_id_a"], pairs["activity_id_b"]))
    duplicates = {k for k, v in labels.items() if v == "duplicate"}
    assert len(duplicates) == 8 and len(labels) == 14
    # documented in docs/DUPLICATION.md: every duplicate found (recall 8 of 8) and no false
    # alarm (precision 8 of 8). The sequential phases, the complementary work, the other target
    # group and the same template in another country stay out.
    assert found == duplicates, pairs[["activity_id_a", "activity_id_b", "score"]]


def test_a_regional_project_beside_a_national_one_is_worth_a_look_not_a_likely_duplicate(tmp_path):
    # IOM's labour-inspection project over Thailand, Cambodia and Myanmar beside ILO's in
    # Myanmar: the same codes and setting, but other figures and partners.
    pairs, _ = scored(tmp_path, duplication.WORTH_A_LOOK)
    pair = pairs.set_index(["activity_id_a", "activity_id_b"]).loc[("H03b", "H10a")]
    assert pair["band"] == "worth a look"
    assert duplication.WORTH_A_LOOK <= pair["score"] < duplication.DEFAULT_THRESHOLD


def test_french_and_portuguese_reports_meet_the_english_ones_on_concepts(tmp_path):
    pairs, _ = scored(tmp_path, 0.5)
    by = pairs.set_index(["activity_id_a", "activity_id_b"])
    senegal, brazil = by.loc[("H04a", "H04b")], by.loc[("H06a", "H06b")]
    assert "training" in senegal["concepts_shared"] and "labour inspectors" in senegal["concepts_shared"]
    assert "forced labour" in brazil["concepts_shared"] and "texts both about" in brazil["reasons"]


# ---- the text part: what is rare counts more, close figures are the same figure ----------
def _index(texts: dict[str, str]):
    from icat_analysis.store import duplicate_text as dtext

    normalised = {k: dtext.normalise_text(v) for k, v in texts.items()}
    return dtext.text_index(normalised, dtext.rarity(normalised.values()))


def test_sharing_a_rare_setting_counts_more_than_sharing_a_common_word():
    # what every report says
    texts = {f"F{i:02d}": ("Training" if i % 2 else "Awareness raising") + " against forced labour" for i in range(20)}
    texts.update(
        A="Training against forced labour in the fishing sector",
        B="Awareness raising against forced labour in the fishing sector",
        C="Training against forced labour in mining areas",
        D="Training against forced labour on construction sites",
    )
    index = _index(texts)
    assert index.weight["fishing"] > index.weight["training"] > index.weight["forced labour"]
    # A and B share the setting and differ in a common word; C and D the other way round (counted
    # alike, both pairs would share 2 of the 4 concepts they name)
    assert index.similarity("A", "B") > 2 * index.similarity("C", "D")


def test_counts_within_a_fifth_are_the_same_figure_small_figures_and_years_must_be_equal():
    index = _index(
        {
            "A": "Shelter for 300 children in 12 districts over 36 months from 2019",
            "B": "Shelter for 320 children in 12 districts over 36 months from 2019",
            "C": "Shelter for 400 children in 13 districts over 36 months from 2021",
        }
    )
    assert index.similarity("A", "B") == 1.0  # 300 and 320 children: one target, rounded differently
    assert index.shared_figures("A", "B") == ["12", "36", "300 ≈ 320", "2019"]
    assert index.shared_figures("A", "C") == ["36"]  # 400 is a third more; 12 is not 13; 2019 is not 2021
    assert index.similarity("A", "C") < 0.5


def test_a_figure_with_thousands_separators_is_one_figure():
    from icat_analysis.store import duplicate_text as dtext

    assert dtext.concepts(dtext.normalise_text("2,721 people in 12 districts")) == {"#2721", "#12"}
    assert dtext.concepts(dtext.normalise_text("1 000 000 dollars")) == {"#1000000"}
