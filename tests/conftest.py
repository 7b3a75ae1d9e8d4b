"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "inputs" / "sample.xlsx"


@pytest.fixture
def shared_dir() -> Path:
    """The team's shared data folder; tests that need it skip cleanly without it."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture
def sample_workbook() -> Path:
    if not SAMPLE.is_file():
        pytest.skip("inputs/sample.xlsx has not been built")
    return SAMPLE


def _hypothesis_profiles() -> None:
    """CI runs property tests derandomized, so that a run can be repeated exactly."""
    import os

    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, deadline=None)
    settings.register_profile("dev", deadline=None)
    settings.load_profile("ci" if os.environ.get("CI") else "dev")


_hypothesis_profiles()
