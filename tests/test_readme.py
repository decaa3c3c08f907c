"""The README's quick start is what CI runs."""

import re

from tests.conftest import REPO


def _commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [c.strip() for c in re.findall(r"```\n(.*?)\n```", quick, flags=re.S)]


def test_quick_start_is_two_commands_and_ci_runs_the_test_one():
    commands = _commands()
    assert commands == [
        "pip install -r requirements.txt && streamlit run dashboard.py",
        "pip install -r requirements-test.txt && ruff check . && python -m pytest",
    ]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[1] in ci
    assert "set -euo pipefail" in ci


def test_readme_screenshot_exists():
    assert (REPO / "docs" / "screenshot-overview.png").stat().st_size > 10_000
