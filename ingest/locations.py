"""Where the data a user keeps outside the package lives: one home for every default path.

``KG_SHARED_DATA`` names the shared data directory (real public corpora, ontologies, networks). Without
it the first of ``../shared/data`` beside the working directory and ``../shared/data`` beside this
checkout that exists is used, so the README's commands work from the project folder and the tests work
from anywhere.

>>> import os; os.environ["KG_SHARED_DATA"] = "/data/kg"; str(shared_data_dir())
'/data/kg'
>>> del os.environ["KG_SHARED_DATA"]
"""
from __future__ import annotations

import os
from pathlib import Path

#: The checkout (or install prefix) this package was loaded from.
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """The shared data directory (it may not exist; callers say so with the path they tried)."""
    env = os.environ.get("KG_SHARED_DATA")
    if env:
        return Path(env)
    for base in (Path.cwd(), PROJECT_ROOT):
        candidate = (base.parent / "shared" / "data").resolve()
        if candidate.is_dir():
            return candidate
    return (PROJECT_ROOT.parent / "shared" / "data").resolve()


def fetched_data_dir(home: str | Path) -> Path:
    """Where ``kg fetch`` downloads to by default: ``<KG_HOME>/data`` (``home`` is the settings' home).

    >>> fetched_data_dir("/home/me/.ldh-kg").as_posix()
    '/home/me/.ldh-kg/data'
    """
    return Path(home) / "data"


def results_dir() -> Path:
    """``bench/results`` of the checkout, where evaluations write their figures."""
    return PROJECT_ROOT / "bench" / "results"
