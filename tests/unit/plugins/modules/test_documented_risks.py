# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documented risks, each run against an emulator that really produces the condition its guard exists for.

Issue 28: a test of a risk must fail when the guard is removed. Every test here was checked that way (the guard
taken out of a copy of plugins/module_utils, the test run against it): see docs/development.md, Mutation testing.
The risks come from docs/how-it-works.md and /work/shared/ubidots-api-notes.md, not from a mutant's diff.
"""

from __future__ import annotations

import email.utils
from datetime import datetime, timedelta, timezone

import pytest

from ubidots_emulator import Emulator, generate
from ubidots_testing import NAMESPACE, api_log, by_name, orgs_task, users_task, writes

ORGS_UPDATE = "/api/v2.0/organizations/_/bulk/update/"
ACME = "5fc8e4b7a1c2d3e4f5a6b701"
USERS_INFO = NAMESPACE + "ubidots_users_info"
USERS_PATH = "/api/v2.0/users/"


def org_writes(emulator):
    """The bodies of the organizations' bulk updates the emulator received."""
    return [entry["body"] for entry in writes(emulator) if entry["path"] == ORGS_UPDATE]


# -- a key the API leaves out of a listing (docs/how-it-works.md, 2. Reading) --------------------------------------
# "Organizations are read whole enough to send them back; a key the listing does not return is read from the
# organization itself (GET /organizations/<id>/), and left out of the write if still missing, never sent as a
# default." The bulk update of organizations is a full update: a key not sent goes back to its default.

def test_keys_a_listing_leaves_out_are_read_from_the_object_and_sent_back_by_the_full_update(emulator, run_module):
    # The listing leaves description and properties out even though fields= names them; GET
    # /organizations/<id>/ returns them. A new organization comes first in the list: it has nothing to read.
    emulator.configure(omit_keys={"organizations": ["description", "properties"]}, omit_from="lists")
    run = run_module(orgs_task([{"label": "plant-new"}, {"label": "acme-plant", "name": "ACME Renamed"}]))
    assert run.rc == 0, run.output
    (body,) = org_writes(emulator)
    assert (body[0].get("description"), body[0].get("properties")) == ("Main plant", {"site": "north", "shifts": 3})
    reads = [e for e in api_log(emulator, "GET", "/organizations/" + ACME)
             if set(e["query"].get("fields", [""])[0].split(",")) == {"description", "properties"}]
    assert len(reads) == 1, "the organization itself is read once for the keys the listing left out"
    emulator.configure(omit_keys={})
    now = by_name(emulator, "organizations")["acme-plant"]
    assert (now["name"], now["description"], now["properties"]) == ("ACME Renamed", "Main plant", {"site": "north", "shifts": 3})


def test_a_key_no_read_returns_is_left_out_of_the_write_never_sent_as_a_default(emulator, run_module):
    emulator.configure(omit_keys={"organizations": ["description"]}, omit_from="all")
    run = run_module(orgs_task([{"label": "acme-plant", "name": "ACME Renamed"}]))
    assert run.rc == 0, run.output
    (body,) = org_writes(emulator)
    assert body[0]["name"] == "ACME Renamed" and body[0]["label"] == "acme-plant"
    assert "description" not in body[0], body
    # What the listing did return is sent back whole: the other keys of a full update are kept.
    now = by_name(emulator, "organizations")["acme-plant"]
    assert now["properties"] == {"site": "north", "shifts": 3} and now["app"]["label"] == "acme-portal"


# -- pagination behind a reverse proxy (plugins/module_utils/_client.py, UbidotsClient._next_url) ------------------
# A listing's `next` is an absolute URL (docs: the list envelope). A server behind a reverse proxy names its own
# host, and maybe not the proxy's path prefix: the next page is read on api_url, and the token goes nowhere else.

def test_every_page_is_read_on_api_url_when_the_next_links_name_the_server_behind_a_proxy(run_module):
    with Emulator(fixture=generate(600, 0), path_prefix="/ubidots") as proxied:
        proxied.configure(link_base="http://backend.invalid:8000")
        run = run_module({"name": "users", USERS_INFO: {}, "register": "result"}, url=proxied.url + "/",
                         token=proxied.token)
        assert run.rc == 0, run.output
        assert run.result["count"] == 608 and len({u["id"] for u in run.result["users"]}) == 608
        assert [(e["path"], e["status"], e["token_header"]) for e in proxied.log()] == [
            ("/ubidots/api/v2.0/users/", 200, True)] * 2


# -- retries (docs/reliability.md, Retries) ----------------------------------------------------------------------
# "Connection failures, timeouts, 429, 500, 502, 503 and 504 are retried `retries` times (default 5) with
# exponential backoff and jitter (0.5 s doubling, at most 30 s); `Retry-After` (seconds or an HTTP date, at most
# 120 s) wins when the server sends it." The client is given a `sleep` that records the pauses instead.

def emulator_client(emulator, sleeps):
    """The collection's client of the emulator: no rate limit, 3 retries, pauses recorded in `sleeps`."""
    from ansible_collections.ubidots.industrial.plugins.module_utils._client import UbidotsClient  # pylint: disable=import-outside-toplevel
    return UbidotsClient(emulator.url, emulator.token, rate_limit=0, retries=3, sleep=sleeps.append)


def http_date(seconds_from_now):
    """An HTTP date (RFC 9110 IMF-fixdate) this many seconds from now."""
    return email.utils.format_datetime(datetime.now(timezone.utc) + timedelta(seconds=seconds_from_now), usegmt=True)


@pytest.mark.parametrize("retry_after, waited", [
    (lambda: http_date(40), (35.0, 40.0)),      # a date 40 s ahead: wait until then
    (lambda: http_date(-3600), (0.0, 0.0)),     # a date already past: try again at once
    (lambda: "0", (0.0, 0.0)),                  # zero seconds: at once
    (lambda: "3600", (120.0, 120.0)),           # an hour: 120 s at most
], ids=["date-ahead", "date-past", "zero-seconds", "an-hour"])
def test_retry_after_in_seconds_or_as_an_http_date_is_what_the_client_waits(emulator, retry_after, waited):
    sleeps = []
    emulator.inject(USERS_PATH, "status", status=503, method="GET", retry_after=retry_after())
    users = list(emulator_client(emulator, sleeps).list("/users/"))
    assert len(users) == len(emulator.state()["users"])
    assert len(sleeps) == 1 and waited[0] <= sleeps[0] <= waited[1], sleeps
    assert [e["status"] for e in emulator.log()] == [503, 200]


def test_without_retry_after_the_pauses_start_at_half_a_second_at_most_and_double(emulator):
    sleeps = []
    emulator.inject(USERS_PATH, "status", status=503, method="GET", count=3)
    assert len(list(emulator_client(emulator, sleeps).list("/users/"))) == len(emulator.state()["users"])
    assert len(sleeps) == 3, sleeps
    for attempt, pause in enumerate(sleeps):
        assert 0 < pause <= 0.5 * 2 ** attempt, sleeps  # 0.5 s doubling; jitter may shorten a pause


# -- reading (docs/how-it-works.md, 2. Reading) ---------------------------------------------------------------------
# "The module reads only the listed objects (id__in=... / username__in=... / label__in=...) ... and asks only for
# the fields it compares (fields=) ... When 300 or more objects are listed, one first page of the account's listing
# tells its size, and the module reads the whole listing instead if that costs fewer requests than the lookups.
# With prune: true it always reads the whole account in one paginated listing."

def listing_reads(emulator):
    """The GETs of listings (not of one object) the emulator received."""
    return [e for e in api_log(emulator, "GET") if e["path"].rstrip("/").count("/") == 3]


def test_every_listing_the_modules_read_asks_for_fields(emulator, run_module):
    tasks = [users_task([{"username": "alice", "defaultOrganization": "org2", "defaultRole": "viewer",
                          "defaultDashboard": "energy"}], name="references"),
             users_task([{"username": "bob"}], name="prune", prune=True, max_deletions=10),
             orgs_task([{"label": "north_site", "app": "acme-portal"}], name="app")]
    for task in tasks[1:]:
        task["check_mode"] = True
    run = run_module(tasks)
    assert run.rc == 0, run.output
    reads = listing_reads(emulator)
    kinds = {e["path"].rstrip("/").rsplit("/", 1)[1] for e in reads}
    assert kinds >= {"users", "organizations", "roles", "dashboards", "apps"}, kinds
    assert [e["path"] for e in reads if not e["query"].get("fields")] == []


def test_a_reference_found_by_label_is_not_looked_up_again_by_id(emulator, run_module):
    run = run_module(users_task([{"username": "alice", "defaultOrganization": "org2"}]))
    assert run.rc == 0, run.output
    org_reads = [e for e in listing_reads(emulator) if "/organizations" in e["path"]]
    assert [sorted(k for k in e["query"] if k.endswith("__in")) for e in org_reads] == [["label__in"]], org_reads


def test_three_hundred_users_listed_by_id_are_read_with_the_account_listing(emulator, run_module):
    emulator.set_state(users=generate(392, 0)["users"])
    wanted = sorted(u["id"] for u in emulator.state()["users"])[:350]
    run = run_module(users_task([{"id": i, "lastName": "Listed"} for i in wanted]), check=True)
    assert run.rc == 0, run.output
    assert sorted(run.result["changed_ids"]) == wanted
    reads = [e for e in listing_reads(emulator) if "/users" in e["path"]]
    assert len(reads) == 1 and not any(k.endswith("__in") for k in reads[0]["query"]), reads
    assert reads[0]["query"].get("fields")


def test_prune_reads_the_whole_account_in_pages_as_large_as_the_server_gives(emulator, run_module):
    # 1,200 users; the emulator gives at most 1000 a page (its README): two reads, each asking for fields.
    emulator.set_state(users=generate(1192, 0)["users"])
    keep = [{"id": u["id"]} for u in emulator.state()["users"]]
    run = run_module(users_task(keep, prune=True, max_deletions=10), check=True)
    assert run.rc == 0, run.output
    assert run.result["changed"] is False
    reads = [e for e in listing_reads(emulator) if "/users" in e["path"]]
    assert len(reads) == 2 and all(e["query"].get("fields") for e in reads), [e["query"] for e in reads]


def test_the_same_user_listed_twice_fails_naming_both_before_any_write(emulator, run_module):
    alice = by_name(emulator, "users")["alice"]
    run = run_module(users_task([{"id": alice["id"], "lastName": "A"}, {"username": "alice", "lastName": "B"}]))
    assert run.rc != 0
    msg = run.result["msg"]
    assert "the same user as users[0] (id %s); each user may appear once. Nothing was written." % alice["id"] in msg, msg
    assert msg.endswith("Nothing was written."), msg
    assert len(run.result["errors"]) == 1 and "users[1]" in run.result["errors"][0]
    assert writes(emulator) == []


@pytest.mark.parametrize("account, listing", [(1200, True), (3200, False)], ids=["2-pages", "4-pages"])
def test_three_hundred_and_fifty_listed_users_are_read_the_cheaper_way(emulator, run_module, account, listing):
    # 350 usernames take two lookups (about 138-290 values a read). An account of 1,200 users is two pages of
    # 1000: after the first page, one more read is cheaper than two lookups. Of 3,200 users, three more are not.
    emulator.set_state(users=generate(account - 8, 0)["users"])
    wanted = ["user-%05d" % n for n in range(1, 351)]
    run = run_module(users_task([{"username": n, "lastName": "Listed"} for n in wanted]), check=True)
    assert run.rc == 0, run.output
    assert len(run.result["changed_ids"]) == 350
    reads = [e for e in listing_reads(emulator) if "/users" in e["path"]]
    lookups = [e for e in reads if "username__in" in e["query"]]
    assert (len(reads), len(lookups)) == ((2, 0) if listing else (3, 2)), [sorted(e["query"]) for e in reads]


def test_a_read_whose_json_answer_was_cut_is_read_again(emulator):
    # docs/reliability.md: "A read whose JSON answer was cut is read again."
    sleeps = []
    emulator.inject(USERS_PATH, "truncate", method="GET")
    users = list(emulator_client(emulator, sleeps).list("/users/"))
    assert len(users) == len(emulator.state()["users"])
    assert [(e["status"], e["fault"]) for e in emulator.log()] == [(200, "truncate"), (200, None)]
    assert len(sleeps) == 1


def test_a_read_answered_without_a_content_type_is_read_once_as_json(emulator):
    # A proxy may strip the Content-Type header (tests/emulator/README.md, fault "untyped": an assumed condition).
    # The JSON body is still the answer: read once, neither refused nor mistaken for a cut answer and read again.
    sleeps = []
    emulator.inject(USERS_PATH, "untyped", method="GET")
    users = list(emulator_client(emulator, sleeps).list("/users/"))
    assert len(users) == len(emulator.state()["users"])
    assert [(e["status"], e["fault"]) for e in emulator.log()] == [(200, "untyped")] and sleeps == []


def test_a_read_answered_200_with_an_html_page_is_not_tried_again(emulator):
    # A proxy's HTML page is not a cut JSON answer: it fails at once, naming what came back.
    from ansible_collections.ubidots.industrial.plugins.module_utils._errors import UbidotsError  # pylint: disable=import-outside-toplevel
    sleeps = []
    emulator.inject(USERS_PATH, "html", method="GET", status=200)
    with pytest.raises(UbidotsError):
        list(emulator_client(emulator, sleeps).list("/users/"))
    assert [e["status"] for e in emulator.log()] == [200] and sleeps == []


# -- a write that may have been applied (docs/reliability.md, "May have been applied"; docs/how-it-works.md) ---------
# "A create is repeated only after an answer that means it was refused (429, 503, no connection made), never after
# one that may mean it was applied (500, 502, 504, a timeout once sent)." "When a write fails after it reached the
# server (timeout, connection dropped after sending, ...), the module fails with changed: true and says that
# request may have been applied, naming its ids; it never claims 'Nothing was written' then."

@pytest.mark.parametrize("fault, shown", [("drop", "the server closed the connection without an answer"),
                                          ("reset", "the connection was reset")])
def test_a_create_whose_connection_broke_after_sending_is_not_sent_again(emulator, run_module, fault, shown):
    emulator.inject("/api/v2.0/users/", fault, method="POST")
    run = run_module(users_task([{"username": "dropped-new", "email": "dropped@example.com", "password": "Dropped-Pass-1"}]))
    assert run.rc != 0
    result = run.result
    assert len(api_log(emulator, "POST", "/users")) == 1
    assert result["changed"] is True
    assert "connection failed (%s)" % shown in result["msg"], result["msg"]
    assert "may have been applied" in result["msg"] and "Nothing was written" not in result["msg"]


def test_a_bulk_update_whose_connection_was_reset_is_sent_again_and_lands(emulator, run_module):
    # A bulk update sets absolute values: sending it twice gives the same result (docs/reliability.md).
    alice = by_name(emulator, "users")["alice"]
    emulator.inject("/api/v2.0/users/_/bulk/update/", "reset", method="PATCH")
    run = run_module(users_task([{"id": alice["id"], "lastName": "Reset"}]))
    assert run.rc == 0, run.output
    assert [e["fault"] for e in api_log(emulator, "PATCH")] == ["reset", None]
    assert by_name(emulator, "users")["alice"]["lastName"] == "Reset"


def test_a_bulk_update_dropped_with_no_retries_left_may_have_been_applied(emulator, run_module):
    alice = by_name(emulator, "users")["alice"]
    emulator.inject("/api/v2.0/users/_/bulk/update/", "drop", method="PATCH")
    run = run_module(users_task([{"id": alice["id"], "lastName": "Dropped"}], retries=0))
    assert run.rc != 0
    msg = run.result["msg"]
    assert ("connection failed (the server closed the connection without an answer), 1 try. "
            "Request 1 may have been applied") in msg, msg
    assert run.result["changed"] is True and "Nothing was written" not in msg


# -- secrets (README: passwords never show in output) ---------------------------------------------------------------

def test_a_password_next_to_an_item_that_is_not_a_dict_never_shows_in_the_failure(emulator, run_module):
    # ansible-core refuses the list before the module has looked at any item: the failure echoes the arguments.
    secret = "Fail-Early-Secret-77"
    run = run_module(users_task([{"username": "early", "email": "early@example.com", "password": secret}, "not-an-item"]))
    assert run.rc != 0
    assert secret not in run.output
    assert emulator.log() == []


# -- comparison (docs/how-it-works.md, 3. Planning: "Values compare as JSON does") ---------------------------------

@pytest.mark.parametrize("current, wanted", [(["a", "b"], "ab"), ("ab", ["a", "b"])], ids=["list-to-text", "text-to-list"])
def test_a_property_that_changes_between_a_list_and_a_text_is_an_update(emulator, run_module, current, wanted):
    emulator.update_object("organizations", "~org1", {"properties": {"codes": current}})
    run = run_module(orgs_task([{"label": "org1", "properties": {"codes": wanted}}]))
    assert run.rc == 0, run.output
    assert run.result["changed"] is True
    assert by_name(emulator, "organizations")["org1"]["properties"]["codes"] == wanted


def test_a_changed_reference_shows_what_it_pointed_at_before(emulator, run_module):
    # The plan a reviewer reads (check mode, changes) says where a reference pointed, by label.
    run = run_module(users_task([{"username": "alice", "defaultOrganization": "org2"}]), check=True, diff=True)
    assert run.rc == 0, run.output
    (change,) = run.result["changes"]
    assert (change["before"]["defaultOrganization"], change["after"]["defaultOrganization"]) == ("org1", "org2"), change
