"""Building many records at once: the cyclic garbage collector paused while they are made.

CPython runs a collection every few hundred new container objects and, as objects survive, walks the
older generations again: reading a million edge rows (a dict and three lists each) spent two thirds of
its time in the collector (a 1M-edge walk projection 17.9 s with it, 6.3 s without, timed ad hoc
on the store ``python bench/store_bench.py --synthetic 1000000`` builds). Records hold no reference cycles, so nothing is
left for the collector to find; it runs again as soon as the block ends.

>>> import gc
>>> with gc_paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
>>> before = gc.get_freeze_count()
>>> with gc_paused(freeze=True):
...     few = [{"row": i} for i in range(3)]
>>> gc.get_freeze_count() == before
True
>>> with gc_paused(freeze=True):
...     many = [{"row": i} for i in range(2 * FREEZE_MIN)]
>>> gc.get_freeze_count() > before
True
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

#: Containers a ``freeze`` block must make before it freezes (a full build's projection makes millions).
FREEZE_MIN = 100_000


@contextmanager
def gc_paused(freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic collector for the block (nested blocks keep it paused until the outermost ends).

    ``freeze``: for what a process keeps (a projection, its adjacency), move every object alive at
    the end out of the collector's reach (:func:`gc.freeze`), so no later collection walks them
    again: after a 1M-edge projection, the full collections that followed took 1 s and 6.6 s out of
    two path queries. Reference counting still frees them when they are dropped. Only a block that
    made more than :data:`FREEZE_MIN` containers freezes (a small graph's would gain nothing, and a
    freeze also keeps whatever cyclic garbage exists at that moment).
    """
    was = gc.isenabled()
    gc.disable()
    made = gc.get_count()[0]
    try:
        yield
    finally:
        if freeze and gc.get_count()[0] - made > FREEZE_MIN:
            gc.freeze()
        if was:
            gc.enable()
