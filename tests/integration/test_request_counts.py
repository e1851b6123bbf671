# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request counts a user pays for (issue: scale), through a real ansible-playbook run: what Ansible returns of the
module's arguments (the invocation) stays bounded. The request counts themselves are tested in process:
tests/unit/plugins/modules/test_request_counts_engine.py.
"""

from __future__ import annotations

import pytest

from ubidots_testing import some_users, users_task


@pytest.mark.core
def test_a_list_longer_than_changes_limit_is_not_echoed_back_in_the_invocation(emulator, run_playbook):
    # Ansible returns the module's arguments in the result (`invocation`, shown at -vvv and registered): a run
    # over a whole account would return its 10,000 input items again. Past 100 items, or past changes_limit if
    # lower, they are counted (test_invocation_echo.py checks the bound of 100).
    users = some_users(emulator, 3)
    items = [{"id": u["id"], "lastName": "Echo-%d" % i} for i, u in enumerate(users)]
    # ansible-core 2.21 returns the invocation only when asked (INJECT_INVOCATION); older ones always do.
    inject = {"ANSIBLE_INJECT_INVOCATION": "true"}
    long_run = run_playbook(users_task(items, rate_limit=0, changes_limit=2), check=True, verbosity=3, env=inject)
    assert long_run.rc == 0, long_run.output
    echoed = long_run.result["invocation"]["module_args"]
    assert echoed["users"] == "3 items (a list of more than 2 items is not repeated in the result)"
    assert echoed["changes_limit"] == 2 and echoed["rate_limit"] == 0
    assert "Echo-2" not in long_run.stdout  # the third change is past changes_limit, and not echoed either
    assert long_run.result["changed_ids"] == [u["id"] for u in users]
    short_run = run_playbook(users_task(items, rate_limit=0), check=True, env=inject).result
    assert short_run["invocation"]["module_args"]["users"] == items
