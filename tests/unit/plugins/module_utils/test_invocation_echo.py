# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the result's `invocation` repeats of a long list argument (the bound the changes_limit docs state)."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.ubidots.industrial.plugins.module_utils._common import UbidotsModule


def echoed(users, **params):
    """The module arguments as the result echoes them."""
    return UbidotsModule._echoed_params(SimpleNamespace(params=dict(params, users=users)))  # pylint: disable=protected-access


ITEMS = [{"id": "u%04d" % i, "lastName": "Echo"} for i in range(101)]


def test_a_list_of_100_items_is_repeated_under_the_default_changes_limit():
    assert echoed(ITEMS[:100], changes_limit=1000)["users"] == ITEMS[:100]


def test_a_list_of_more_than_100_items_is_counted_even_under_a_higher_changes_limit():
    assert echoed(ITEMS, changes_limit=1000)["users"] == "101 items (a list of more than 100 items is not repeated in the result)"


def test_a_lower_changes_limit_bounds_the_echo_too():
    assert echoed(ITEMS[:3], changes_limit=2)["users"] == "3 items (a list of more than 2 items is not repeated in the result)"


def test_changes_limit_0_repeats_the_list_whole():
    assert echoed(ITEMS, changes_limit=0)["users"] == ITEMS


def test_a_module_without_changes_limit_counts_past_100_items():
    assert echoed(ITEMS)["users"].startswith("101 items")
