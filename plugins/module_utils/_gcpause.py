# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pausing Python's cyclic garbage collector while the engine builds large structures."""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def cyclic_gc_paused():
    """Run the block (or, as a decorator, the function) with the cyclic garbage collector off.

    What the engine builds (the items, the objects read, the plan, the result) are trees of dicts and
    lists with no reference cycles: reference counting frees all of it, and the cyclic collector has
    nothing to find. It still wakes up every few hundred new containers, and now and then walks every
    container alive, a large share of the plan's time at 100,000 items (docs/performance.md measures it).
    The few cycles the HTTP client may leave (an exception and its traceback, on a retry) wait for the
    collector's next pass or for the module process to end, a moment later. The collector is turned back
    on afterwards if it was on; nesting is harmless.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
