# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one-line messages of API errors, and the info modules' documented results, against the emulator.

Issue 28: the survivors of plugins/module_utils/_errors.py, _info.py and _access_review.py showed which promises had
no test. The messages come from docs/reliability.md (the observed outcome of each failure scenario), the shapes of
Ubidots error answers from /work/shared/ubidots-api-notes.md, and the info modules' behaviour from their
DOCUMENTATION and RETURN; none from a mutant's diff.
"""

from __future__ import annotations

import os
import re
import time
from datetime import datetime, timedelta, timezone

import pytest
import responses

from ubidots_emulator import generate
from ubidots_testing import MOCK_TOKEN, MOCK_URL, NAMESPACE, users_task

USERS_INFO = NAMESPACE + "ubidots_users_info"
ORGS_INFO = NAMESPACE + "ubidots_orgs_info"
USERS_PATH = "/api/v2.0/users/"
USERS_BULK = "/api/v2.0/users/_/bulk/update/"


def emulator_client(emulator, retries, token=None):
    """The collection's client of the emulator: no rate limit, `retries` retries, pauses recorded instead of slept."""
    from ansible_collections.ubidots.industrial.plugins.module_utils._client import UbidotsClient  # pylint: disable=import-outside-toplevel
    return UbidotsClient(emulator.url, token or emulator.token, rate_limit=0, retries=retries, sleep=[].append)


def failure_of(call):
    """The UbidotsError `call()` raises."""
    from ansible_collections.ubidots.industrial.plugins.module_utils._client import UbidotsError  # pylint: disable=import-outside-toplevel
    with pytest.raises(UbidotsError) as caught:
        call()
    return caught.value


def info_task(module=USERS_INFO, name="info", **options):
    """One info module task, registered as `result`."""
    return {"name": name, module: options, "register": "result"}


# -- the messages docs/reliability.md shows, each produced by the condition of its scenario ------------------------

# Row 26, "401: token refused", api_token: an unknown token -> "GET /api/v2.0/users/: the token was refused (401002
# incorrect authentication credentials). Check api_token or UBIDOTS_TOKEN. Nothing was written."
def test_an_unknown_token_fails_with_the_token_refused_message_naming_both_token_settings(emulator, run_module):
    run = run_module(info_task(), token="BBUS-not-a-token-of-this-account")
    assert run.rc != 0
    assert run.result["msg"] == ("GET /api/v2.0/users/: the token was refused (401002 incorrect authentication "
                                 "credentials). Check api_token or UBIDOTS_TOKEN.")
    assert "BBUS-not-a-token" not in run.output


# The same refusal from a server that answers 401 without a Ubidots code (a proxy in front of the API, or an API
# version without codes) still names 401002, the code of "wrong token" (/work/shared/ubidots-api-notes.md).
def test_a_401_without_a_code_is_reported_as_the_wrong_token_401002(emulator):
    emulator.inject(USERS_PATH, "status", status=401, detail="Invalid token.")
    error = failure_of(lambda: list(emulator_client(emulator, 0).list("/users/")))
    assert error.message == ("GET /api/v2.0/users/: the token was refused (401002 incorrect authentication "
                             "credentials). Check api_token or UBIDOTS_TOKEN.")
    assert error.status == 401


# /work/shared/ubidots-api-notes.md: "401001 no credentials". An answer saying the credentials were not provided
# (the Ubidots code, or the plain "Authentication credentials were not provided." of a server without codes, as when
# a proxy drops the X-Auth-Token header) tells the user to set the token, not that the token is wrong.
@pytest.mark.parametrize("answer", [
    {"code": 401001, "detail": "Authentication credentials were not provided."},
    {"code": 401001, "detail": "No token."},
    {"detail": "Authentication credentials were not provided."},
], ids=["code-and-text", "code-only", "text-only"])
@responses.activate
def test_credentials_not_provided_tells_to_set_the_token(client, answer):
    responses.get(MOCK_URL + USERS_PATH, status=401, json=answer)
    error = failure_of(lambda: list(client.list("/users/")))
    assert error.message == ("GET /api/v2.0/users/: no credentials were sent (401001). "
                             "Set api_token or UBIDOTS_TOKEN.")
    assert len(responses.calls) == 1, "a 401 is not retried"


# "not provided" in another status than 401 is no credentials problem: the detail is shown as the API gave it.
@responses.activate
def test_not_provided_in_a_400_answer_is_shown_as_the_apis_detail(client):
    responses.get(MOCK_URL + USERS_PATH, status=400, json={"detail": "Parameter page_size not provided."})
    error = failure_of(lambda: list(client.list("/users/")))
    assert error.message == "GET /api/v2.0/users/: HTTP 400: Parameter page_size not provided."


# Row 27, "403: read-only token", the write is refused -> "Bulk request 1 of 1 failed: PATCH
# /api/v2.0/users/_/bulk/update/: permission denied (403, 403001): the token's user may not do this; use a token
# with administration rights. Nothing was written."
def test_a_read_only_token_fails_the_write_with_permission_denied_and_the_code(emulator, run_module):
    readonly = next(token for token, role in emulator.tokens.items() if role == "readonly")
    run = run_module(users_task([{"username": "alice", "lastName": "Changed"}]), token=readonly)
    assert run.rc != 0
    assert run.result["msg"].startswith(
        "Bulk request 1 of 1 failed: PATCH /api/v2.0/users/_/bulk/update/: permission denied (403, 403001): the "
        "token's user may not do this; use a token with administration rights. Nothing was written."), run.result["msg"]


# A 403 without a Ubidots code (a proxy or firewall refusing the request) names only the status.
def test_a_403_without_a_code_names_only_the_status(emulator):
    emulator.inject(USERS_PATH, "status", status=403, detail="Forbidden by policy.")
    error = failure_of(lambda: list(emulator_client(emulator, 0).list("/users/")))
    assert error.message == ("GET /api/v2.0/users/: permission denied (403): the token's user may not do this; "
                             "use a token with administration rights.")


# Row 29, "404 from the API on the lookup", GET answers 404 -> "GET /api/v2.0/users/: not found (404): Injected
# fault. Nothing was written."
def test_a_404_on_the_lookup_shows_the_apis_detail(emulator, run_module):
    emulator.inject(USERS_PATH, "status", status=404, method="GET")
    run = run_module(users_task([{"username": "alice", "lastName": "Changed"}]))
    assert run.rc != 0
    assert run.result["msg"] == "GET /api/v2.0/users/: not found (404): Injected fault. Nothing was written."


@responses.activate
def test_a_404_without_detail_says_no_such_object(client):
    responses.get(MOCK_URL + USERS_PATH, status=404, json={"code": 404001})
    error = failure_of(lambda: list(client.list("/users/")))
    assert error.message == "GET /api/v2.0/users/: not found (404): no such object"


# docs/reliability.md, Retries: 429 is retried `retries` times; when it is still answered, the message says to lower
# rate_limit or raise retries.
def test_still_rate_limited_after_the_retries_says_what_to_change(emulator):
    emulator.inject(USERS_PATH, "status", status=429, count=2)
    error = failure_of(lambda: list(emulator_client(emulator, 1).list("/users/")))
    assert error.message == ("GET /api/v2.0/users/: still rate limited (429) after 2 tries; lower rate_limit or "
                             "raise retries.")
    assert [e["status"] for e in emulator.log()] == [429, 429]


# Rows 18 and 34: "HTTP 503 after 3 tries: Service Unavailable", "HTTP 503 after 2 tries: Service Unavailable";
# one try only (retries: 0) names no count of tries.
@pytest.mark.parametrize("retries, words", [(0, "HTTP 503"), (1, "HTTP 503 after 2 tries"),
                                            (2, "HTTP 503 after 3 tries")])
def test_a_server_error_on_every_try_names_the_status_the_tries_and_the_detail(emulator, retries, words):
    emulator.inject(USERS_PATH, "status", status=503, count=retries + 1)
    error = failure_of(lambda: list(emulator_client(emulator, retries).list("/users/")))
    assert error.message == "GET /api/v2.0/users/: %s: Service Unavailable" % words


# Row 25, "HTML 502 on every try" -> "GET /api/v2.0/users/: HTTP 502 with a non-JSON answer (text/html) after 3
# tries; is api_url the Ubidots API?"
@pytest.mark.parametrize("retries, after", [(0, ""), (1, " after 2 tries"), (2, " after 3 tries")])
def test_an_html_error_page_on_every_try_asks_whether_api_url_is_the_api(emulator, retries, after):
    emulator.inject(USERS_PATH, "html", count=retries + 1)
    error = failure_of(lambda: list(emulator_client(emulator, retries).list("/users/")))
    assert error.message == ("GET /api/v2.0/users/: HTTP 502 with a non-JSON answer (text/html)%s; is api_url the "
                             "Ubidots API?" % after)


# /work/shared/ubidots-api-notes.md: bulk updates need "X-Bulk-Operation: True"; the API refuses a bulk request
# without it (a proxy that strips the header). The message says it was the bulk request that was refused.
def test_a_bulk_request_refused_for_its_header_says_so(emulator):
    client = emulator_client(emulator, 0)
    error = failure_of(lambda: client.request("PATCH", USERS_BULK, body=[{"id": "x", "lastName": "y"}]))
    assert error.message == ("PATCH /api/v2.0/users/_/bulk/update/: the API refused the bulk request: Header "
                             "`X-BULK-OPERATION` should be provided for bulk operation.")


# docs (info fragment): filters are "Ubidots API filters, passed as query parameters"; the API answers a filter on an
# unknown field with a validation error (400001), which the module shows as such.
def test_a_filter_the_api_refuses_fails_the_info_module_with_the_validation_error(emulator, run_module):
    run = run_module(info_task(filters={"nosuchfield": "x"}))
    assert run.rc != 0
    assert run.result["msg"].startswith("GET /api/v2.0/users/: validation error (400001): "), run.result["msg"]


# /work/shared/ubidots-api-notes.md: errors are {"code", "message", "detail"}. Without a detail the message is
# shown; without either, "no detail".
@pytest.mark.parametrize("answer, shown", [
    ({"code": 500001, "message": "Internal error."}, "Internal error."),
    ({"code": 500001, "message": "Internal error.", "detail": None}, "Internal error."),
    ({"code": 500001}, "no detail"),
    ({"detail": None}, "no detail"),
], ids=["message", "message-null-detail", "code-only", "null-detail"])
@responses.activate
def test_an_error_without_detail_shows_the_apis_message_or_says_no_detail(client, answer, shown):
    responses.post(MOCK_URL + "/api/v2.0/users/~alice/_/assign_organizations/", status=400, json=answer)
    error = failure_of(lambda: client.post("/users/~alice/_/assign_organizations/", [{"label": "org1"}]))
    assert error.message == "POST /api/v2.0/users/~alice/_/assign_organizations/: HTTP 400: %s" % shown


# The 400001 detail shape of the notes: {"0": {"tags": ["msg"]}}: each key with its problems, keys without a problem
# named alone, problems of a list joined with commas.
@pytest.mark.parametrize("detail, shown", [
    ({"0": {"tags": ["too long", "not unique"]}}, "0: tags: too long, not unique"),
    ({"email": ["invalid"], "website": ["invalid url"]}, "email: invalid; website: invalid url"),
    ({"non_field_errors": [], "email": None}, "non_field_errors; email"),
], ids=["nested", "two-keys", "empty-problems"])
@responses.activate
def test_a_validation_detail_is_flattened_into_one_line(client, detail, shown):
    responses.get(MOCK_URL + USERS_PATH, status=400, json={"code": 400001, "detail": detail})
    error = failure_of(lambda: list(client.list("/users/")))
    assert error.message == "GET /api/v2.0/users/: validation error (400001): %s" % shown


# UbidotsError: "a one-line message a user can act on": a long, multi-line detail (an HTML page or a stack trace in
# a JSON error) is put on one line and cut, the cut marked with "...".
def test_a_long_detail_is_put_on_one_line_and_cut(emulator):
    emulator.inject(USERS_PATH, "status", status=500, detail="Traceback line\n" * 400)
    error = failure_of(lambda: list(emulator_client(emulator, 0).list("/users/")))
    text = error.message.split("GET /api/v2.0/users/: HTTP 500: ", 1)[1]
    assert "\n" not in error.message and text.startswith("Traceback line Traceback line ")
    assert text.endswith("...") and 100 < len(text) < 300, text


# The message never holds the token (UbidotsError; docs/reliability.md row 79): an API that echoes it in a detail.
@pytest.mark.parametrize("detail", ["bad token %s" % MOCK_TOKEN, {"0": {"token": [MOCK_TOKEN]}}])
@pytest.mark.parametrize("status", [400, 404, 500])
@responses.activate
def test_a_token_echoed_by_the_api_never_appears_in_the_message(client, status, detail):
    answer = {"code": 400001 if status == 400 else None, "detail": detail}
    responses.get(MOCK_URL + USERS_PATH, status=status, json=answer)
    error = failure_of(lambda: list(client.list("/users/")))
    assert MOCK_TOKEN not in error.message and MOCK_TOKEN not in str(error.detail)


# -- the info modules' selection (doc fragment ubidots.industrial.info, the modules' options and RETURN) -----------

def listing_queries(log, path=USERS_PATH):
    """The query of each GET of `path` in an emulator log."""
    return [e["query"] for e in log if e["method"] == "GET" and e["path"].rstrip("/") == path.rstrip("/")]


# "filters: Ubidots API filters, passed as query parameters of the listing ... Booleans become true/false; lists are
# joined with commas (for __in filters)."
@pytest.mark.parametrize("filters, query, expected", [
    ({"isActive": False}, {"isActive": ["false"]}, ["erin"]),
    ({"isActive": True, "username__in": ["alice", "erin", "bob"]},
     {"isActive": ["true"], "username__in": ["alice,erin,bob"]}, ["alice", "bob"]),
    ({"username__startswith": "gr"}, {"username__startswith": ["gr"]}, ["grace-h"]),
], ids=["false", "true-and-list", "string"])
def test_filters_are_sent_as_query_parameters_booleans_as_true_false_lists_joined(
        emulator, run_module, filters, query, expected):
    run = run_module(info_task(filters=filters))
    assert run.rc == 0, run.output
    assert sorted(u["username"] for u in run.result["users"]) == expected and run.result["count"] == len(expected)
    (sent,) = listing_queries(emulator.log())
    assert {key: value for key, value in sent.items() if key in query} == query
    assert run.result["changed"] is False


# "ids: Read only the objects with these ids. Ids that do not exist are returned in missing_ids"; usernames / labels
# the same with missing_usernames / missing_labels (RETURN: lists of str). Ids and names can be combined.
def test_ids_and_usernames_read_only_those_users_and_name_the_missing_ones(emulator, run_module):
    run = run_module(info_task(ids=["409dba9c67d3bb19f554", "ffffffffffffffffffffffff", 12345],
                               usernames=["bob", "nobody", 2024]))
    assert run.rc == 0, run.output
    result = run.result
    assert sorted(u["username"] for u in result["users"]) == ["alice", "bob"] and result["count"] == 2
    assert result["missing_ids"] == ["ffffffffffffffffffffffff", "12345"]
    assert result["missing_usernames"] == ["nobody", "2024"]
    assert result["changed"] is False
    queries = listing_queries(emulator.log())
    assert sorted(key for q in queries for key in q if key.endswith("__in")) == ["id__in", "username__in"]


def test_labels_read_only_those_organizations_and_name_the_missing_ones(emulator, run_module):
    run = run_module(info_task(ORGS_INFO, labels=["org1", "no-such-plant", 7]))
    assert run.rc == 0, run.output
    assert [o["label"] for o in run.result["organizations"]] == ["org1"] and run.result["count"] == 1
    assert run.result["missing_labels"] == ["no-such-plant", "7"] and run.result["missing_ids"] == []
    assert run.result["changed"] is False


# Ansible's list options take a comma-separated string too (type: list, elements: str), and filters k=v text
# (type: dict).
def test_selection_options_take_ansibles_list_and_dict_forms(emulator, run_module):
    run = run_module(info_task(ids="409dba9c67d3bb19f554,445da83878abc3c75756", usernames="carol"))
    assert run.rc == 0, run.output
    assert sorted(u["username"] for u in run.result["users"]) == ["alice", "bob", "carol"]
    run = run_module(info_task(filters="username=dave"))
    assert run.rc == 0, run.output
    assert [u["username"] for u in run.result["users"]] == ["dave"]


# users_info page: "Read only this page of the listing (500 users asked for per page ...), and return page, pages
# and total"; pages: "how many pages the listing has (from its count and the size of the page answered)".
@pytest.mark.parametrize("users, page, count, pages", [
    (600, 1, 500, 2), (600, 2, 108, 2), (1600, 1, 500, 4), (1600, 2, 500, 4), (0, 1, 7, 1),
], ids=["608-first", "608-last", "1608-first", "1608-second", "7-only"])
def test_page_reads_one_page_and_tells_how_many_there_are(emulator, run_module, users, page, count, pages):
    emulator.set_state(users=generate(users, 0)["users"])
    run = run_module(info_task(page=page, filters={"isActive": True}))
    assert run.rc == 0, run.output
    total = 8 + users - 1  # erin is deactivated
    expected_count = count if page * 500 < total else total - (page - 1) * 500
    assert {k: run.result[k] for k in ("page", "pages", "total")} == {"page": page, "pages": pages, "total": total}
    assert run.result["count"] == expected_count == len(run.result["users"])
    (sent,) = listing_queries(emulator.log())
    assert sent["page"] == [str(page)] and sent["isActive"] == ["true"] and "fields" in sent


def test_a_page_past_the_end_fails_with_the_apis_answer(emulator, run_module):
    run = run_module(info_task(page=3))
    assert run.rc != 0
    assert run.result["msg"] == "GET /api/v2.0/users/: not found (404): Invalid page."


# docs/reliability.md row 24: an answer that is not a paginated listing {count, next, previous, results} fails the
# read with that message; a page without its count cannot tell the pages.
@responses.activate
def test_a_page_answered_without_a_count_fails_as_not_a_listing(run_module):
    responses.get(MOCK_URL + USERS_PATH, json={"next": None, "previous": None, "results": []})
    run = run_module(info_task(page=1), url=MOCK_URL, token=MOCK_TOKEN)
    assert run.rc != 0
    assert run.result["msg"] == ("GET /api/v2.0/users/: the answer is not a paginated listing {count, next, previous, "
                                 "results}.")


# -- lastLogin as the access review reads it (users_info inactive_for_days) -----------------------------------------
# "Measured in UTC from the time of the read (read_at)"; read_at and inactive_before are "ISO 8601, UTC". A lastLogin
# is an ISO 8601 time (RFC 3339 allows a lower-case z; no offset means UTC, the API's own times) or null for never;
# a value the module cannot read fails the task naming the user.

def listing(*users):
    """A one-page users listing answer."""
    return {"count": len(users), "next": None, "previous": None, "results": list(users)}


def account(username, last_login, **keys):
    """A user of a listing answer with this lastLogin."""
    return dict({"id": "id-" + username, "username": username, "email": username + "@example.com", "isActive": True,
                 "lastLogin": last_login, "organizations": []}, **keys)


@pytest.fixture
def tokyo_time():
    """The process's local time zone set to Asia/Tokyo (UTC+9) for the test, then restored."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


@responses.activate
def test_last_logins_with_z_or_without_offset_are_utc_whatever_the_local_time_zone(run_module, tokyo_time):
    now = datetime.now(timezone.utc)
    # 30 days ago plus/minus 5 hours: older and newer than the cutoff in UTC. Read as Tokyo time (UTC+9), a time
    # without offset would be 9 hours earlier: "naive-new" would be older than the cutoff too.
    older = (now - timedelta(days=30, hours=5)).strftime("%Y-%m-%dT%H:%M:%S")
    newer = (now - timedelta(days=30) + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%S")
    responses.get(MOCK_URL + USERS_PATH, json=listing(
        account("naive-old", older), account("naive-new", newer),
        account("upper-z", older + "Z"), account("lower-z", older + "z"), account("lower-z-new", newer + "z")))
    run = run_module(info_task(inactive_for_days=30), url=MOCK_URL, token=MOCK_TOKEN)
    assert run.rc == 0, run.output
    assert [u["username"] for u in run.result["inactive_users"]] == ["naive-old", "upper-z", "lower-z"]
    read_at = datetime.strptime(run.result["read_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert abs((read_at - now).total_seconds()) < 60, (run.result["read_at"], now)
    cutoff = datetime.strptime(run.result["inactive_before"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert cutoff == read_at - timedelta(days=30)


@pytest.mark.parametrize("user, named", [
    (account("alice", "yesterday"), "alice"),
    (dict(account("x", "yesterday"), username=None, id="5e8f1c2d3b4a5968776655ff"), "5e8f1c2d3b4a5968776655ff"),
], ids=["by-username", "by-id"])
@responses.activate
def test_a_last_login_the_module_cannot_read_fails_the_review_naming_the_user(run_module, user, named):
    responses.get(MOCK_URL + USERS_PATH, json=listing(user))
    run = run_module(info_task(inactive_for_days=30), url=MOCK_URL, token=MOCK_TOKEN)
    assert run.rc != 0
    assert run.result["msg"] == ("user %s: lastLogin 'yesterday' is not a time this module can read (ISO 8601 or epoch "
                                 "milliseconds)." % named)


# -- the access review's files (docs/gitops.md, access review; the access_review filter's DOCUMENTATION) ------------
# access-review.csv: "one row per user and organization, columns username, email, isActive, lastLogin, organization,
# role, sorted by username and organization. A user without any organization gets one row with an empty
# organization and role". access-review.md: "when it was read (UTC), the counts (users, active, inactive, never
# logged in, and unused ...), the administrators (role admin) of each organization, none where there is none and
# (inactive) on a deactivated one, and the unused active accounts ... Every number can be counted again from the CSV".

def review_of(accounts, organizations, read_at="2026-12-04T21:50:00Z", days=90):
    """What the access_review filter returns."""
    from ansible_collections.ubidots.industrial.plugins.filter.access_review import access_review  # pylint: disable=import-outside-toplevel
    return access_review(accounts, organizations, read_at, days)


def cells(line):
    """The cells of a Markdown table row, split on the pipes that are not escaped."""
    assert line.startswith("| ") and line.endswith(" |"), line
    return [cell.strip() for cell in re.split(r"(?<!\\)((?:\\\\)*)\|", line[1:-1]) if cell is not None and cell != ""
            and not set(cell) <= {"\\"}]


def tables(markdown):
    """The Markdown's tables, each a list of rows (header first, the --- row left out)."""
    found, current = [], None
    for line in markdown.split("\n"):
        if line.startswith("|"):
            if current is None:
                current = []
                found.append(current)
            if not line.startswith("| ---"):
                current.append(cells(line))
        else:
            current = None
    return found


def test_the_review_of_the_info_modules_results_has_sorted_rows_and_tables_that_count_them(emulator, run_module):
    emulator.update_object("organizations", "~org1", {"name": "Line | 1 \\"})
    emulator.update_object("organizations", "~org2", {"name": "Two\r\nlines"})
    run = run_module([info_task(name="users", inactive_for_days=90, memberships=True),
                      info_task(ORGS_INFO, name="orgs")])
    assert run.rc == 0, run.output
    users, orgs = (entry["result"] for entry in run.results)
    # The module's accounts in reverse order, each one's memberships reversed: the files sort them.
    accounts = [dict(acc, organizations=list(reversed(acc["organizations"]))) for acc in reversed(users["accounts"])]
    # A membership of an organization the organizations read did not return (created in between) still counts.
    accounts[0]["organizations"].append({"label": "zz-new-plant", "role": "admin"})
    review = review_of(accounts, orgs["organizations"], users["read_at"], 90)
    rows = review["csv"].split("\n")
    assert rows[0] == "username,email,isActive,lastLogin,organization,role" and rows[-1] == ""
    keys = [tuple(row.split(",")[i] for i in (0, 4)) for row in rows[1:-1]]
    assert keys == sorted(keys) and len(keys) == len(set(keys))
    assert {k[0] for k in keys} == {u["username"] for u in users["accounts"]}
    markdown = review["markdown"]
    assert markdown.endswith("|\n") and not markdown.endswith("\n\n")
    assert users["read_at"] in markdown.split("\n")[2] and "(UTC)" in markdown.split("\n")[2]
    headings = [line for line in markdown.split("\n") if line.startswith("#")]
    assert len(headings) == 3 and headings[0].startswith("# ") and all(h.startswith("## ") for h in headings[1:])
    # Markdown blocks are set apart by an empty line: one after the title, the headings and the paragraphs, one
    # before and after each table; otherwise a renderer runs a table into the text next to it.
    lines = markdown.split("\n")[:-1]
    for number, line in enumerate(lines):
        if line.startswith("#"):
            assert lines[number + 1] == "" and (number == 0 or lines[number - 1] == ""), (number, line)
        elif line.startswith("|"):
            neighbours = [lines[i] for i in (number - 1, number + 1) if 0 <= i < len(lines)]
            assert all(n == "" or n.startswith("|") for n in neighbours), (number, line)
        elif line:
            assert lines[number + 1] == "" or not lines[number + 1].startswith("|"), (number, line)
            assert lines[number - 1] == "" or not lines[number - 1].startswith(("|", "#")), (number, line)
    counts, admins, unused = tables(markdown)
    assert all(len(row) == 2 for row in counts) and all(len(row) == 3 for row in admins)
    assert all(len(row) == 4 for row in unused)
    numbers = [int(row[1]) for row in counts[1:]]
    assert numbers[:4] == [len(users["accounts"]), sum(a["isActive"] for a in users["accounts"]),
                           sum(not a["isActive"] for a in users["accounts"]),
                           sum(a["lastLogin"] is None for a in users["accounts"])]
    assert numbers[4] == len(users["inactive_users"]) == len(unused) - 1
    assert [row[0] for row in admins[1:]] == sorted(o["label"] for o in orgs["organizations"]) + ["zz-new-plant"]
    by_label = {row[0]: row for row in admins[1:]}
    assert by_label["org1"][1] == "Line \\| 1 \\\\" and by_label["org2"][1] == "Two  lines"
    assert by_label["zz-new-plant"][2].startswith(accounts[0]["username"])
    assert any(row[2] == "none" for row in admins[1:])
    for row in unused[1:]:
        labels = [part.split(" (")[0] for part in row[3].split(", ")] if row[3] else []
        assert labels == sorted(labels), row
