"""Building many records at once: the cyclic garbage collector paused while they are made.

CPython runs a collection every few hundred new container objects and, as objects survive, walks the
older generations again: reading a million edge rows (a dict and three lists each) spent two thirds of
its time in the collector (a 1M-edge walk projection 17.9 s with it, 6.3 s without; measured by
``python bench/store_bench.py --synthetic 1000000``). Records hold no reference cycles, so nothing is
left for the collector to find; it runs again as soon as the block ends.

>>> import gc
>>> with gc_paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block (nested blocks keep it paused until the outermost ends)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
