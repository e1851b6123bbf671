# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Micro-benchmark (pytest-benchmark): validation plus comparison of N items, outside Ansible.

Not collected by `make test` (it lives outside tests/); `make bench` runs it through benchmarks/bench.py:

    PYTHONPATH=$(scripts/collection-path.sh) python -m pytest benchmarks/test_micro_bench.py --benchmark-json out.json

The current objects are what the emulator's GET returns for its generated users and organizations; the
items change every one of them, so comparison builds a write for each (the most work it can do).
BENCH_ASSERT=1 turns the issue's target (10,000 under 1 s) into an assertion.
"""

from __future__ import annotations

import os
import sys
import tracemalloc

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "emulator"))

# pylint: disable=wrong-import-position
from ubidots_emulator import Emulator, generate  # noqa: E402

from ansible_collections.ubidots.industrial.plugins.module_utils._compare import (  # noqa: E402
    compare_item,
    validate_items,
)
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import (  # noqa: E402
    ORGANIZATIONS,
    USERS,
)

SIZES = (1000, 10000)
TARGET_S = 1.0
_STATE = {}


def _state():
    """The emulator's read view of 10,000 generated users and organizations (built once)."""
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
        return USERS, items, current, {"update_password": "always"}
    items = [{"id": obj["id"], "name": "Bench Organization %d" % i, "description": "micro",
              "properties": {"site": "bench-%d" % i}, "isActive": True}
             for i, obj in enumerate(current, start=1)]
    return ORGANIZATIONS, items, current, {"purge_properties": False}


def validate_and_compare(spec, items, current, options):
    """What the engine does between reading and writing: validate every item, compare each with its object.

    Like the engine's plan, it keeps (before, after, write) of every changed object.
    """
    errors = validate_items(spec, items)
    assert not errors, errors[:3]
    changes = []
    for item, obj in zip(items, current):
        result = compare_item(spec, item, obj, options)
        if result[2] is not None:
            changes.append(result)
    return changes


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
    benchmark.pedantic(validate_and_compare, args=(spec, items, current, options), rounds=7 if n > 1000 else 20,
                       iterations=1)
    if os.environ.get("BENCH_ASSERT") == "1" and n == 10000:
        assert benchmark.stats.stats.median < TARGET_S


@pytest.mark.parametrize("kind", ["users", "orgs"])
def test_validate_only(benchmark, kind):
    """Only the JSON Schema validation of 10,000 items (the larger part of the above)."""
    spec, items, _current, _options = _case(kind, 10000)
    benchmark.pedantic(validate_items, args=(spec, items), rounds=3, iterations=1)


@pytest.mark.parametrize("kind", ["users", "orgs"])
def test_compare_only(benchmark, kind):
    """Only the comparison of 10,000 items with their objects."""
    spec, items, current, options = _case(kind, 10000)

    def compare():
        return [compare_item(spec, item, obj, options) for item, obj in zip(items, current)]

    benchmark.pedantic(compare, rounds=3, iterations=1)
