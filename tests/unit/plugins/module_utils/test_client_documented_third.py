# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client's documented promises, third part: api_url with a path prefix, the rate limit's pauses, the requests
a read and a write send, the backoff between tries, what a failure's error says, and next pages' paths in messages.

Issue 28: written from the docs (plugins/doc_fragments/connection.py: api_url, rate_limit; docs/reliability.md,
"Retries": "exponential backoff and jitter (0.5 s doubling, at most 30 s)"; the docstrings of
plugins/module_utils/_client.py, _http.py and _errors.py), not from a mutant's diff. Answers are `responses` mocks of
MOCK_URL, as in test_client_documented_more.py.
"""

from __future__ import annotations

import pytest
import requests
import responses

from ubidots_testing import MOCK_TOKEN, MOCK_URL, users_task

from ansible_collections.ubidots.industrial.plugins.module_utils._client import UbidotsClient, UbidotsError

USERS = MOCK_URL + "/api/v2.0/users/"


def listing(results, next_link=None):
    return {"count": len(results), "next": next_link, "previous": None, "results": results}


# connection.py, api_url: "Base URL of the Ubidots API, without the /api/v2.0 part. It may carry a path prefix, as
# behind a reverse proxy (https://proxy.example/ubidots)." A prefix is kept as written (only a trailing slash goes),
# whatever letter it ends with.
@responses.activate
def test_a_path_prefix_of_api_url_is_kept_whatever_it_ends_with(sleeps):
    client = UbidotsClient(MOCK_URL + "/UBIX/", MOCK_TOKEN, rate_limit=0, retries=0, sleep=sleeps.append)
    responses.get(MOCK_URL + "/UBIX/api/v2.0/users/alice/", json={"id": "u1", "username": "alice"})
    assert client.get("/users/", "alice") == {"id": "u1", "username": "alice"}
    assert [call.request.url for call in responses.calls] == [MOCK_URL + "/UBIX/api/v2.0/users/alice/"]


# connection.py, rate_limit: "Highest number of requests per second this task sends with its token": at 1, two reads
# in a row are spaced by a pause of up to 1 s, taken with the client's own sleep (which tests record).
@responses.activate
def test_the_rate_limit_pauses_between_requests_with_the_clients_sleep(sleeps):
    client = UbidotsClient(MOCK_URL, MOCK_TOKEN, rate_limit=1, retries=0, sleep=sleeps.append)
    responses.get(USERS + "alice/", json={"id": "u1"})
    responses.get(USERS + "bob/", json={"id": "u2"})
    client.get("/users/", "alice")
    client.get("/users/", "bob")
    assert len(responses.calls) == 2
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 1.0


# request(): a body is sent as JSON (Content-Type application/json); a read or a delete has no body, so it sends none
# and no Content-Type either.
@responses.activate
def test_reads_and_deletes_send_no_body_and_no_content_type_writes_send_json(client):
    responses.get(USERS + "alice/", json={"id": "u1"})
    responses.delete(USERS + "bob/", status=204)
    responses.post(USERS, status=201, json={"id": "u9"})
    client.get("/users/", "alice")
    client.delete("/users/", "bob")
    client.create("/users/", {"username": "carol"})
    read, delete, create = [call.request for call in responses.calls]
    for request in (read, delete):
        assert request.body is None
        assert "Content-Type" not in request.headers
    assert create.body in ('{"username":"carol"}', b'{"username":"carol"}')
    assert create.headers["Content-Type"] == "application/json"


# docs/reliability.md, Retries: "Connection failures, timeouts, 429, 500, 502, 503 and 504 are retried `retries` times
# (default 5) with exponential backoff and jitter (0.5 s doubling, at most 30 s)": the first pause is 0.5 s with
# jitter (between half of it and all of it), the second 1 s with jitter.
@responses.activate
def test_the_backoff_starts_at_half_a_second_and_doubles(client, sleeps):
    responses.get(USERS + "alice/", body=requests.exceptions.ConnectionError("boom"))
    responses.get(USERS + "alice/", body=requests.exceptions.ConnectionError("boom"))
    responses.get(USERS + "alice/", json={"id": "u1"})
    assert client.get("/users/", "alice") == {"id": "u1"}
    assert len(responses.calls) == 3
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5
    assert 0.5 <= sleeps[1] <= 1.0


# _errors.UbidotsError: "`maybe_applied` is true when a write may have been applied although it failed: the connection
# broke or timed out after the request was sent ...". A read that timed out after it was sent applied nothing; the
# error names the request's method and path (never its query string: _http.send).
@responses.activate
def test_a_read_that_timed_out_after_it_was_sent_may_not_have_been_applied(sleeps):
    client = UbidotsClient(MOCK_URL, MOCK_TOKEN, rate_limit=0, retries=0, sleep=sleeps.append)
    responses.get(USERS, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(UbidotsError) as error:
        list(client.list("/users/", {"username": "alice"}))
    assert error.value.message == "GET /api/v2.0/users/: timed out after 30s, 1 try."
    assert error.value.maybe_applied is False
    assert (error.value.method, error.value.path, error.value.status) == ("GET", "/api/v2.0/users/", None)


# The same for a write: a create that timed out once sent may have been applied, and the error names it.
@responses.activate
def test_a_create_that_timed_out_after_it_was_sent_names_its_method_and_path(sleeps):
    client = UbidotsClient(MOCK_URL, MOCK_TOKEN, rate_limit=0, retries=3, sleep=sleeps.append)
    responses.post(USERS, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(UbidotsError) as error:
        client.create("/users/", {"username": "carol"})
    assert error.value.message == "POST /api/v2.0/users/: timed out after 30s, 1 try."
    assert error.value.maybe_applied is True
    assert (error.value.method, error.value.path) == ("POST", "/api/v2.0/users/")


# A listing's loop is an error of the listing's GET (pages(): "following `next` links").
@responses.activate
def test_a_listing_loop_error_names_the_listings_get(client):
    responses.get(USERS, json=listing([{"id": "1"}], USERS + "?page=2"))
    with pytest.raises(UbidotsError) as error:
        list(client.list("/users/"))
    assert (error.value.method, error.value.path) == ("GET", "/api/v2.0/users/")


# _http.send: "`shown` is the path messages show (never the query string, which may hold values)". A next page that
# fails is named by its path only, even when its query string holds a "?" (allowed in a query, RFC 3986).
@responses.activate
def test_a_failing_next_page_is_named_by_its_path_without_the_query_string(client):
    responses.get(USERS, json=listing([{"id": "1"}], USERS + "?page=2&q=why?not"))
    responses.get(USERS, status=404, json={"detail": "Invalid page."})
    with pytest.raises(UbidotsError) as error:
        list(client.list("/users/"))
    assert error.value.message == "GET /api/v2.0/users/: not found (404): Invalid page."
    assert error.value.path == "/api/v2.0/users/"
    assert len(responses.calls) == 2


# The path shown is the URL without api_url in front, and only in front: a next page whose path repeats api_url's text
# is shown with that text in it.
@responses.activate
def test_a_next_page_path_is_shown_as_the_url_without_api_url_in_front_only(client):
    odd = USERS + MOCK_URL + "/more/"
    responses.get(USERS, json=listing([{"id": "1"}], odd + "?page=2"))
    responses.get(odd, status=404, json={"detail": "Invalid page."})
    with pytest.raises(UbidotsError) as error:
        list(client.list("/users/"))
    assert error.value.message == "GET /api/v2.0/users/%s/more/: not found (404): Invalid page." % MOCK_URL
    assert len(responses.calls) == 2


# connection.py, rate_limit: "Highest number of requests per second this task sends with its token" (a float; Ansible
# takes `.inf` for it). No highest number (infinity) means no pause at all, as rate_limit 0 ("turns the client-side
# limit off").
@pytest.mark.parametrize("rate", [float("inf"), 0])
@responses.activate
def test_an_infinite_or_zero_rate_limit_never_pauses(sleeps, rate):
    client = UbidotsClient(MOCK_URL, MOCK_TOKEN, rate_limit=rate, retries=0, sleep=sleeps.append)
    responses.get(USERS + "alice/", json={"id": "u1"})
    for _read in range(3):
        client.get("/users/", "alice")
    assert len(responses.calls) == 3
    assert sleeps == []


# _common.OPTION_MINIMUMS: rate_limit must be "0 (off) or more", checked "before any request". A YAML `.nan` is a float
# Ansible passes on, and it is no number at all, neither 0 nor more: it is refused like -1 is (it slipped past the
# check, nan < 0 being false, and silently turned the limit off).
def test_a_rate_limit_that_is_not_a_number_is_refused_before_any_request(emulator, run_module):
    run = run_module(users_task([{"username": "alice", "lastName": "Nan"}], rate_limit=float("nan")))
    assert run.rc != 0
    assert run.result["msg"] == "rate_limit must be 0 (off) or more, got nan.", run.result["msg"]
    assert emulator.log() == []
