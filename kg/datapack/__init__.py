"""The small data pack shipped inside the project so the main job runs offline.

See ATTRIBUTION.md beside this file for where each file came from and its licence.
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def datapack_path(*parts: str) -> Path:
    """Path of a shipped file, e.g. ``datapack_path("curated", "mechanism_facts.tsv")``."""
    p = HERE.joinpath(*parts)
    if not p.exists():
        raise FileNotFoundError(f"data pack file missing: {p} (reinstall the package)")
    return p
