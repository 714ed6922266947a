"""Small shared test helpers (no fixtures with side effects here)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED_DATA", ROOT.parent / "shared" / "data"))


def shared_data() -> Path:
    """../shared/data, or skip with the reason when it is absent (CI always has it)."""
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared data not found at {SHARED}: CI must have ../shared/data")
        pytest.skip(f"shared data not found at {SHARED} (needs ../shared/data beside the project)")
    return SHARED
