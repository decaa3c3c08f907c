"""The review log: order-independent keys, latest wins, history kept, restarts and concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from icat_analysis.store import reviews

REPO = Path(__file__).resolve().parents[1]


def test_latest_review_wins_and_history_is_kept(tmp_path):
    reviews.add_review(
        tmp_path, "B2", "A1", "duplicate", "Amina", "same trainers", now=datetime(2026, 1, 1, tzinfo=UTC)
    )
    reviews.add_review(tmp_path, "A1", "B2", "coordinated", "Jon", "they meet monthly")
    reviews.add_review(tmp_path, "C1", "C2", "unrelated", "Amina")
    latest = reviews.latest_reviews(tmp_path)
    assert latest[["activity_id_a", "activity_id_b", "verdict", "reviewer", "reviews"]].values.tolist() == [
        ["C1", "C2", "unrelated", "Amina", 1],
        ["A1", "B2", "coordinated", "Jon", 2],
    ]
    h = reviews.history(tmp_path)
    assert h["verdict"].tolist() == ["duplicate", "coordinated", "unrelated"]
    assert h.iloc[0]["reviewed_at"] == "2026-01-01T00:00:00+00:00"
    assert reviews.reviewed_keys(tmp_path) == {("A1", "B2"), ("C1", "C2")}


def test_open_list_leaves_out_reviewed_pairs_in_either_order():
    pairs = pd.DataFrame({"activity_id_a": ["A1", "A3"], "activity_id_b": ["B2", "B4"]})
    open_pairs = reviews.without_reviewed(pairs, {reviews.pair_key("B2", "A1")})
    assert open_pairs["activity_id_a"].tolist() == ["A3"]


@pytest.mark.parametrize(
    "args",
    [("A1", "A1", "duplicate", "Amina"), ("A1", "B1", "maybe", "Amina"), ("A1", "B1", "duplicate", "  ")],
)
def test_bad_reviews_are_refused_and_not_written(tmp_path, args):
    with pytest.raises(ValueError):
        reviews.add_review(tmp_path, *args)
    assert not reviews.log_path(tmp_path).exists()


def test_reviews_survive_a_restart(tmp_path):
    code = (
        "import sys; from icat_analysis.store import reviews; "
        "reviews.add_review(sys.argv[1], 'X1', 'Y1', 'complementary', 'Lee', 'note <b>bold</b>')"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=REPO, check=True)
    latest = reviews.latest_reviews(tmp_path)  # another process reads what the first one wrote
    assert latest[["activity_id_a", "verdict", "note"]].values.tolist() == [["X1", "complementary", "note <b>bold</b>"]]


def test_a_torn_last_line_does_not_hide_the_others(tmp_path):
    reviews.add_review(tmp_path, "A1", "B1", "duplicate", "Amina")
    with open(reviews.log_path(tmp_path), "a", encoding="utf-8") as fh:
        fh.write('{"activity_id_a": "A2", "activ')
    assert reviews.latest_reviews(tmp_path)["activity_id_a"].tolist() == ["A1"]


def _write_many(data_dir: str, who: str, n: int) -> None:
    for i in range(n):
        reviews.add_review(data_dir, f"{who}-{i}", f"Z-{i}", "duplicate", who, "x" * 300)


def test_concurrent_writers_never_lose_a_review(tmp_path):
    n = 150
    procs = [
        multiprocessing.get_context("spawn").Process(target=_write_many, args=(str(tmp_path), f"P{k}", n))
        for k in range(3)
    ]
    threads = [threading.Thread(target=_write_many, args=(str(tmp_path), f"T{k}", n)) for k in range(3)]
    for w in (*procs, *threads):
        w.start()
    for w in (*procs, *threads):
        w.join()
    assert all(p.exitcode == 0 for p in procs)
    lines = reviews.log_path(tmp_path).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6 * n
    assert all(json.loads(line)["note"] == "x" * 300 for line in lines)  # no interleaved writes
    assert len(reviews.latest_reviews(tmp_path)) == 6 * n


def test_csv_download_neutralises_formulas(tmp_path):
    reviews.add_review(tmp_path, "A1", "B1", "duplicate", '=HYPERLINK("x")', "+1 said so")
    text = reviews.reviews_csv(reviews.latest_reviews(tmp_path)).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1 said so" in text
    assert text.splitlines()[0] == "activity_id_a,activity_id_b,verdict,note,reviewer,reviewed_at,signed_in_as,reviews"


def test_reviews_survive_a_new_import_and_its_undo(tmp_path):
    from icat_analysis.store.export import undo_last_import
    from tests.factories import activity, make_export

    make_export(tmp_path, [activity("A1", lead="ILO"), activity("B1", lead="IOM")], versioned=True)
    reviews.add_review(tmp_path, "A1", "B1", "complementary", "Amina")
    make_export(tmp_path, [activity("A1", lead="ILO", title="Renamed"), activity("B1", lead="IOM")], versioned=True)
    assert undo_last_import(tmp_path)
    assert reviews.reviewed_keys(tmp_path) == {("A1", "B1")}


def test_a_torn_last_line_is_moved_aside_before_the_next_review(tmp_path):
    reviews.add_review(tmp_path, "A1", "B1", "duplicate", "Amina", "first")
    reviews.add_review(tmp_path, "A2", "B2", "unrelated", "Amina", "second")
    log = reviews.log_path(tmp_path)
    whole = log.read_bytes()
    log.write_bytes(whole[:-25])  # a crash cut the second review mid-line
    fragment = whole[whole.index(b"\n") + 1 : -25]
    told: list[str] = []
    reviews.add_review(tmp_path, "A3", "B3", "coordinated", "Jon", "third", on_warning=told.append)
    assert len(told) == 1 and "reviews.rejected" in told[0] and f"{len(fragment)} bytes" in told[0]
    assert (tmp_path / "reviews.rejected").read_bytes() == fragment + b"\n"
    h = reviews.history(tmp_path)
    assert h["note"].tolist() == ["first", "third"]  # the new review is whole, not glued to the fragment
    assert all(line.startswith(b"{") and line.endswith(b"}") for line in log.read_bytes().splitlines())


def test_a_log_that_is_one_torn_line_keeps_nothing_glued(tmp_path):
    reviews.log_path(tmp_path).write_bytes(b'{"activity_id_a": "A1", "activity_')
    with pytest.warns(UserWarning, match="cut short"):
        reviews.add_review(tmp_path, "A3", "B3", "coordinated", "Jon")
    assert reviews.history(tmp_path)["activity_id_a"].tolist() == ["A3"]


def test_a_note_over_the_limit_is_refused_with_its_length(tmp_path):
    with pytest.raises(ValueError, match="the note has 2,345 characters and the limit is 2,000; shorten it by 345"):
        reviews.add_review(tmp_path, "A1", "B1", "duplicate", "Amina", "x" * 2345)
    assert not reviews.log_path(tmp_path).exists()


def _form_app():
    from icat_analysis.ui import st_adapter

    st_adapter.review_form("A1", "B1")
    st_adapter.review_saved_messages()


def test_a_failed_save_keeps_the_form_and_says_why(tmp_path, monkeypatch, clean_streamlit):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ICAT_DATA_DIR", str(tmp_path))
    at = AppTest.from_function(_form_app, default_timeout=30).run()
    at.radio[0].set_value("duplicate")
    at.text_area[0].set_value("same trainers")
    at.button[0].click().run()  # a forgotten name
    assert (
        "say who reviewed the pair" in at.error[0].value and "What you typed is still in the form" in at.error[0].value
    )
    assert (at.radio[0].value, at.text_area[0].value) == ("duplicate", "same trainers")
    at.text_input[0].set_value("Amina")
    at.text_area[0].set_value("y" * 2001)
    at.button[0].click().run()
    assert "the note has 2,001 characters and the limit is 2,000" in at.error[0].value
    assert len(at.text_area[0].value) == 2001 and at.text_input[0].value == "Amina"
    at.text_area[0].set_value("same trainers")
    at.button[0].click().run()
    assert at.success[0].value == "Saved: A1 and B1 marked duplicate."
    assert at.text_area[0].value == "" and at.radio[0].value is None  # a saved review clears the form
    assert reviews.history(tmp_path)["note"].tolist() == ["same trainers"]


def test_a_review_made_while_signed_in_records_the_members_email(tmp_path):
    from icat_analysis.store import reviews

    reviews.add_review(tmp_path, "B", "A", "duplicate", "Amina", signed_in_as="amina@unodc.org")
    reviews.add_review(tmp_path, "C", "D", "unrelated", "Sam")
    h = reviews.history(tmp_path)
    assert h["signed_in_as"].tolist() == ["amina@unodc.org", ""]
    assert h.loc[0, ["activity_id_a", "reviewer"]].tolist() == ["A", "Amina"]


def test_a_public_export_takes_no_reviews(tmp_path):
    import pytest

    from icat_analysis.store import export, reviews

    export.write_export(tmp_path, {}, {"sharing": {"level": "public"}})
    with pytest.raises(ValueError, match="this is a public export; reviews are kept on the members' dashboard"):
        reviews.add_review(tmp_path, "A", "B", "duplicate", "Sam")
    assert not reviews.log_path(tmp_path).exists()
