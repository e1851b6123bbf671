# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Micro-benchmark (pytest-benchmark): validation plus planning of N items, outside Ansible.

Not collected by `make test` (it lives outside tests/); `make bench` runs it through benchmarks/bench.py:

    PYTHONPATH=$(scripts/collection-path.sh) python -m pytest benchmarks/test_micro_bench.py --benchmark-json out.json

The current objects are what the emulator's GET returns for its generated users and organizations; the
items change every one of them, so the plan holds an update for each (the most work it can do).
Validation is `validator(spec).validate(items)` (_validate.py), planning `make_plan(spec, items, found,
options)` (_plan.py), as the engine calls them. BENCH_ASSERT=1 turns issue 15's direction (10,000
under 0.25 s, 100,000 under 2.5 s) into an assertion.
"""

from __future__ import annotations

import gc
import os
import sys
import tracemalloc

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "emulator"))

# pylint: disable=wrong-import-position
from ubidots_emulator import Emulator, generate  # noqa: E402

from ansible_collections.ubidots.industrial.plugins.module_utils._gcpause import cyclic_gc_paused  # noqa: E402
from ansible_collections.ubidots.industrial.plugins.module_utils._plan import make_plan  # noqa: E402
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import (  # noqa: E402
    ORGANIZATIONS,
    USERS,
)
from ansible_collections.ubidots.industrial.plugins.module_utils._validate import validator  # noqa: E402

SIZES = (1000, 10000, 100000)
TARGET_S = {10000: 0.25, 100000: 2.5}
# The lifecycle options as the module passes them (defaults, but update_password: always, so that the
# password rule does the most work it can).
LIFECYCLE = {"state": "present", "prune": False, "max_deletions": 10}
_STATE = {}


def _state():
    """The emulator's read view of 100,000 generated users and organizations (built once)."""
    if not _STATE:
        emulator = Emulator(fixture=generate(max(SIZES), max(SIZES)))
        try:
            state = emulator.state()
        finally:
            emulator.stop()
        _STATE["users"] = [u for u in state["users"] if u["username"].startswith("user-")]
        _STATE["orgs"] = [o for o in state["organizations"] if o["label"].startswith("org-")]
    return _STATE


def _case(kind, n):
    """(spec, items, current objects, options) with every object changed."""
    current = _state()[kind][:n]
    if kind == "users":
        items = [{"id": obj["id"], "firstName": "Bench", "lastName": "Run %05d" % i, "tags": ["bench", "micro"],
                  "email": "bench-%05d@example.com" % i, "isActive": True, "defaultRole": "viewer"}
                 for i, obj in enumerate(current, start=1)]
        return USERS, items, current, dict(LIFECYCLE, update_password="always", purge_organizations=False)
    items = [{"id": obj["id"], "name": "Bench Organization %d" % i, "description": "micro",
              "properties": {"site": "bench-%d" % i}, "isActive": True}
             for i, obj in enumerate(current, start=1)]
    return ORGANIZATIONS, items, current, dict(LIFECYCLE, purge_properties=False)


def validate_and_compare(spec, items, current, options):
    """What the engine does around reading: validate every item, then plan (compare each with its object),
    with the cyclic garbage collector paused as the module's run pauses it (_common.UbidotsModule.run).

    Returns the plan's updates (before, after and body of every changed object).
    """
    with cyclic_gc_paused():
        validation = validator(spec).validate(items)
        assert not validation, validation.errors[:3]
        return make_plan(spec, items, current, options, validation.deferred).updates


def _collect():
    """Each round starts from a collected heap, as a module process does: the collection the previous round
    deferred (the heap here also holds the 100,000 generated objects of every case) is not timed."""
    gc.collect()


def _paused(function):
    """`function` run as the module runs it, with the cyclic garbage collector paused."""
    def run(*args):
        with cyclic_gc_paused():
            return function(*args)
    return run


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("kind", ["users", "orgs"])
def test_validate_and_compare(benchmark, kind, n):
    """Validation plus comparison of n items; records the peak Python allocation too (tracemalloc)."""
    spec, items, current, options = _case(kind, n)
    validate_and_compare(spec, items[:10], current[:10], options)  # warm-up: schema compiled, imports done
    tracemalloc.start()
    changes = validate_and_compare(spec, items, current, options)
    benchmark.extra_info["peak_alloc_bytes"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(changes) == n
    del changes
    rounds = {1000: 20, 10000: 7}.get(n, 3)
    benchmark.pedantic(validate_and_compare, args=(spec, items, current, options), setup=_collect, rounds=rounds,
                       iterations=1)
    if os.environ.get("BENCH_ASSERT") == "1" and n in TARGET_S:
        assert benchmark.stats.stats.median < TARGET_S[n]


@pytest.mark.parametrize("kind", ["users", "orgs"])
def test_validate_only(benchmark, kind):
    """Only the JSON Schema validation of 10,000 items (the larger part of the above)."""
    spec, items, _current, _options = _case(kind, 10000)
    benchmark.pedantic(_paused(validator(spec).validate), args=(items,), setup=_collect, rounds=3, iterations=1)


@pytest.mark.parametrize("kind", ["users", "orgs"])
def test_compare_only(benchmark, kind):
    """Only the plan of 10,000 items with their objects (every one an update)."""
    spec, items, current, options = _case(kind, 10000)
    benchmark.pedantic(_paused(make_plan), args=(spec, items, current, options), setup=_collect, rounds=3, iterations=1)
