"""Every docstring example in the packages runs as a doctest in the suite (``--doctest-modules``)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kg", "ingest", "ontology")
PAGES = ROOT / "kg" / "surfaces" / "app" / "pages"


def modules_with_examples() -> set[str]:
    out = set()
    for pkg in PACKAGES:
        for f in (ROOT / pkg).rglob("*.py"):
            if PAGES in f.parents:
                continue
            if re.search(r"^\s*>>> ", f.read_text(encoding="utf-8"), re.M):
                out.add(".".join(f.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"))
    return out


def test_every_module_with_examples_is_collected_as_a_doctest():
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           *PACKAGES], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    collected = {m.group(1) for m in re.finditer(r"::([\w.]+?)(?:\.\w+)*$", proc.stdout, re.M)}
    # a doctest item is "<file>::<module>[.<object>]"; its module part is a prefix of the dotted name
    items = [line.split("::", 1)[1] for line in proc.stdout.splitlines() if "::" in line]
    missing = sorted(m for m in modules_with_examples() if not any(i == m or i.startswith(m + ".") for i in items))
    assert len(modules_with_examples()) >= 40 and collected
    assert not missing, f"examples not run as doctests: {missing}"
