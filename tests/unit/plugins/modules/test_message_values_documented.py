# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How long a value in a message may be, run in-process against the emulator as a user runs ubidots_users_bulk.

Issue 28: written for the survivors of _messages.clip from docs/reliability.md (Bad input): "Values in messages are
cut to 64 characters (the first 61 and `...`)", so that no message grows with the input.
"""

from __future__ import annotations

import pytest

from ubidots_testing import sent, users_task

ALICE = "409dba9c67d3bb19f554"


@pytest.mark.parametrize("length, shown", [(63, "o" * 63), (64, "o" * 64), (65, "o" * 61 + "..."), (500, "o" * 61 + "...")],
                         ids=["63", "64", "65", "500"])
def test_a_value_in_a_message_is_cut_to_64_characters(emulator, run_module, length, shown):
    run = run_module(users_task([{"id": ALICE, "defaultOrganization": "o" * length}]))
    assert run.rc != 0
    assert run.result["msg"] == ("users[0] (id %s): defaultOrganization: no organization with id or label %s. "
                                 "Nothing was written." % (ALICE, shown)), run.result["msg"]
    assert sent(emulator) == []
