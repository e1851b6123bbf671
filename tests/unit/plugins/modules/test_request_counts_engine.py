# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request counts a user pays for (issue: scale), run in process against the emulator: pinned at small N so that
a regression fails `make test`.

Reads: a few listed objects are looked up (`id__in`, about 138 per read); many listed objects in a small
account are read with one listing of the account (the server's page size, `next` to the end); many in a
large account, with lookups after one probe page. Writes: ceil(N / batch_size) bulk requests. The bound of the
invocation echo, which Ansible returns, is in tests/integration/test_request_counts.py.
"""

from __future__ import annotations

import pytest

from ubidots_testing import api_log, some_users, users_task, writes
from ubidots_emulator import Emulator, generate

USERS_PATH = "/api/v2.0/users/"


@pytest.fixture
def sized_emulator(request):
    emu = Emulator(fixture=generate(request.param, 0), idle_timeout=300).start()
    try:
        yield emu
    finally:
        emu.stop()


def reads_before_first_write(emulator):
    log = emulator.log()
    first_write = next((e["seq"] for e in log if e["method"] != "GET"), None)
    return [e for e in log if e["method"] == "GET" and (first_write is None or e["seq"] < first_write)]


@pytest.mark.parametrize("sized_emulator", [500], indirect=True)
def test_few_listed_users_are_looked_up_in_one_read(sized_emulator, run_module):
    run = run_module(users_task([{"username": "user-%05d" % i, "lastName": "Few"} for i in range(1, 6)]),
                     url=sized_emulator.url, token=sized_emulator.token)
    assert run.rc == 0, run.output
    reads = reads_before_first_write(sized_emulator)
    assert len(reads) == 1 and "username__in" in reads[0]["query"]
    assert len(writes(sized_emulator)) == 1


@pytest.mark.parametrize("sized_emulator", [500], indirect=True)
def test_most_of_a_small_account_is_read_with_one_listing(sized_emulator, run_module):
    items = [{"username": "user-%05d" % i, "lastName": "Many"} for i in range(1, 401)]
    run = run_module(users_task(items, batch_size=150), url=sized_emulator.url, token=sized_emulator.token)
    assert run.rc == 0, run.output
    reads = reads_before_first_write(sized_emulator)
    # 400 usernames would take 3+ lookups; the account (about 510 users) fits in one page of the listing.
    assert len(reads) == 1 and "username__in" not in reads[0]["query"] and reads[0]["path"] == USERS_PATH
    sent = writes(sized_emulator)
    assert [len(e["body"]) for e in sent] == [150, 150, 100]
    # wait (the default) re-reads the 400 changed users: the same listing, one read.
    after = [e for e in api_log(sized_emulator, method="GET") if e["seq"] > sent[-1]["seq"]]
    assert len(after) == 1
    assert run.result["api_calls"] == {"reads": 2, "writes": 3}


@pytest.mark.parametrize("sized_emulator", [5000], indirect=True)
def test_many_listed_users_in_a_large_account_are_looked_up_after_one_probe(sized_emulator, run_module):
    items = [{"id": "b0b0%020x" % i, "lastName": "Probe"} for i in range(1, 301)]
    known = {u["id"] for u in sized_emulator.state()["users"]}
    items = [item for item in items if item["id"] in known] or pytest.skip("generated ids changed")
    run = run_module(users_task(items, wait=False), url=sized_emulator.url, token=sized_emulator.token,
                     check=True)
    assert run.rc == 0, run.output
    reads = reads_before_first_write(sized_emulator)
    # Listing 5,000 users at the server's page size (1,000) would take 5 reads; 300 ids take 3 lookups.
    assert "id__in" not in reads[0]["query"]
    assert [("id__in" in e["query"]) for e in reads[1:]] == [True] * (len(reads) - 1)
    assert 2 <= len(reads) - 1 <= 3


def test_changes_and_diff_are_bounded_and_the_ids_complete(emulator, run_module):
    users = some_users(emulator, 5)
    items = [{"id": u["id"], "lastName": "Bounded-%d" % i} for i, u in enumerate(users)]
    check = run_module(users_task(items, changes_limit=2), check=True, diff=True)
    assert check.rc == 0, check.output
    result = check.result
    assert len(result["changes"]) == 2 and result["changes_omitted"] == 3
    assert result["changed_ids"] == [u["id"] for u in users]
    assert result["counts"] == {"created": 0, "updated": 5, "deleted": 0, "deactivated": 0, "unchanged": 0}
    assert len(result["diff"]) == 3 and "and 3 more users (not shown: changes_limit is 2)" in result["diff"][-1]["after"]
    assert "and 3 more users" in check.output  # the diff the callback prints: the result above
    everything = run_module(users_task(items, changes_limit=0), check=True).result
    assert len(everything["changes"]) == 5 and everything["changes_omitted"] == 0


def test_the_wait_reads_back_the_last_user_of_each_request_in_one_read(emulator, run_module):
    """wait (the default) reads back the last user of each bulk request, all in one lookup, not every user written."""
    users = some_users(emulator, 5)
    run = run_module(users_task([{"id": u["id"], "lastName": "Sampled"} for u in users], batch_size=2))
    assert run.rc == 0, run.output
    sent = writes(emulator)
    assert [len(e["body"]) for e in sent] == [2, 2, 1]
    after = [e for e in api_log(emulator, method="GET") if e["seq"] > sent[-1]["seq"]]
    assert len(after) == 1, after
    asked = set(",".join(after[0]["query"].get("id__in", [])).split(","))
    assert asked == {users[1]["id"], users[3]["id"], users[4]["id"]}, after[0]["query"]
    assert run.result["api_calls"] == {"reads": 2, "writes": 3}


@pytest.mark.waits
def test_the_wait_reads_back_a_user_whose_change_can_be_read_not_one_that_only_sets_a_password(emulator, run_module):
    """A password cannot be read back: the last user of a request with a readable change is waited for instead."""
    emulator.configure(apply_delay=1.5)
    first, second = some_users(emulator, 2)
    run = run_module(users_task([{"id": first["id"], "lastName": "Readable"},
                                 {"id": second["id"], "password": "Only-a-Secret-42"}], update_password="always"))
    assert run.rc == 0, run.output
    sent = writes(emulator)
    assert len(sent) == 1
    after = [e for e in api_log(emulator, method="GET") if e["seq"] > sent[-1]["seq"]]
    assert after and all(e["query"].get("id__in") == [first["id"]] for e in after), [e["query"] for e in after]
    # The module returned only once the request had been applied.
    assert {u["id"]: u for u in emulator.state()["users"]}[first["id"]]["lastName"] == "Readable"
