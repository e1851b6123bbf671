# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which object an item names, and which items name the same one: one rule for the validator and the filter."""

from __future__ import annotations


def identities(spec, item):
    """The (key, value) pairs that name `item`: its id and its name key, where given as non-empty strings.

    Anything else (a number, a list, a dict) names nothing here; the schema reports its type.
    """
    if not isinstance(item, dict):
        return []
    return [(key, item[key]) for key in spec.identity if isinstance(item.get(key), str) and item[key]]


def duplicates(spec, items):
    """(index, first_index, key, value) for each item that repeats an identity of an earlier item."""
    seen, found = {}, []
    for index, item in enumerate(items):
        for pair in identities(spec, item):
            first = seen.setdefault(pair, index)
            if first != index:
                found.append((index, first) + pair)
                break
    return found
