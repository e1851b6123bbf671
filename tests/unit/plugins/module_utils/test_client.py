# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP client against mocked answers (responses): retries, errors, pagination, rate limit."""

from __future__ import annotations

import pytest
import requests
import responses

from ubidots_testing import MOCK_TOKEN, MOCK_URL

from ansible_collections.ubidots.industrial.plugins.module_utils._client import (
    RateLimiter,
    UbidotsError,
    backoff_delay,
)

URL, TOKEN = MOCK_URL, MOCK_TOKEN
USERS = URL + "/api/v2.0/users/"
BULK = USERS + "_/bulk/update/"


@responses.activate
def test_token_goes_in_the_header_only(client):
    responses.get(USERS, json={"count": 0, "next": None, "previous": None, "results": []})
    assert list(client.list("/users/")) == []
    request = responses.calls[0].request
    assert request.headers["X-Auth-Token"] == TOKEN
    assert "token" not in request.url


@responses.activate
def test_429_honours_retry_after_then_succeeds(client, sleeps):
    responses.get(USERS, status=429, headers={"Retry-After": "3"}, json={"detail": "throttled"})
    responses.get(USERS, json={"count": 0, "next": None, "previous": None, "results": []})
    list(client.list("/users/"))
    assert sleeps == [3.0]
    assert client.calls["reads"] == 2


@responses.activate
def test_5xx_retried_with_growing_backoff_then_clear_failure(client, sleeps):
    for _attempt in range(4):
        responses.patch(BULK, status=503, json={"detail": "Service unavailable"})
    with pytest.raises(UbidotsError) as err:
        client.bulk_update("PATCH", "/users/_/bulk/update/", [{"id": "1"}])
    assert len(sleeps) == 3 and sleeps[0] < sleeps[2]
    assert err.value.message == "PATCH /api/v2.0/users/_/bulk/update/: HTTP 503 after 4 tries: Service unavailable"


@responses.activate
def test_connection_errors_are_retried(client, sleeps):
    responses.get(USERS, body=requests.exceptions.ConnectionError("boom"))
    responses.get(USERS, json={"count": 0, "next": None, "previous": None, "results": []})
    list(client.list("/users/"))
    assert len(sleeps) == 1


@responses.activate
def test_connection_error_message_after_all_tries(client):
    for _attempt in range(4):
        responses.get(USERS, body=requests.exceptions.ConnectionError("refused %s" % TOKEN))
    with pytest.raises(UbidotsError) as err:
        list(client.list("/users/"))
    assert err.value.message == "GET /api/v2.0/users/: connection failed (ConnectionError), 4 tries."


@pytest.mark.parametrize("status, body, expected", [
    (401, {"code": 401001, "message": "Authentication credentials were not provided.",
           "detail": "Authentication credentials were not provided."},
     "no credentials were sent (401001). Set api_token or UBIDOTS_TOKEN."),
    (401, {"code": 401002, "message": "Incorrect authentication credentials.", "detail": "x"},
     "the token was refused (401002 incorrect authentication credentials)."),
    (403, {"code": 403001, "detail": "You do not have permission to perform this action."}, "permission denied (403, 403001)"),
    (400, {"detail": "Header `X-BULK-OPERATION` should be provided for bulk operation."},
     "the API refused the bulk request: Header `X-BULK-OPERATION` should be provided"),
    (400, {"code": 400001, "message": "Validation Error.", "detail": {"0": {"tags": ["Too many."]}}},
     "validation error (400001): 0: tags: Too many."),
    (404, {"code": 404001, "message": "Not found.", "detail": "Not found."}, "not found (404): Not found."),
])
@responses.activate
def test_error_bodies_become_one_line_messages(client, status, body, expected):
    responses.patch(BULK, status=status, json=body)
    with pytest.raises(UbidotsError) as err:
        client.bulk_update("PATCH", "/users/_/bulk/update/", [{"id": "1", "password": "pw-in-body"}])
    assert expected in err.value.message
    assert TOKEN not in err.value.message and "pw-in-body" not in err.value.message
    assert err.value.status == status


@responses.activate
def test_non_json_answers(client):
    responses.get(USERS, status=500, body="<html>oops</html>", content_type="text/html")
    with pytest.raises(UbidotsError) as err:
        list(client.list("/users/"))
    assert "HTTP 500 with a non-JSON answer (text/html)" in err.value.message
    responses.replace(responses.GET, USERS, status=200, body='{"count": 1, "resu', content_type="application/json")
    with pytest.raises(UbidotsError) as err:
        list(client.list("/users/"))
    assert "not valid JSON" in err.value.message


@responses.activate
def test_listing_follows_next_links(client):
    responses.get(USERS, match=[responses.matchers.query_param_matcher({"page_size": "2"})],
                  json={"count": 3, "next": USERS + "?page=2&page_size=2", "previous": None, "results": [{"id": 1}, {"id": 2}]})
    responses.get(USERS, match=[responses.matchers.query_param_matcher({"page": "2", "page_size": "2"})],
                  json={"count": 3, "next": None, "previous": USERS, "results": [{"id": 3}]})
    assert [u["id"] for u in client.list("/users/", page_size=2)] == [1, 2, 3]


@responses.activate
def test_lookup_chunks_keep_urls_short(client):
    ids = ["%024x" % i for i in range(400)]
    responses.get(USERS, json={"count": 0, "next": None, "previous": None, "results": []})
    list(client.lookup("/users/", "id__in", ids, fields=["id", "firstName"]))
    sent = [call.request for call in responses.calls]
    assert len(sent) > 1
    assert all(len(r.url) < 4096 for r in sent)
    seen = [v for r in sent for v in requests.utils.unquote(r.url).split("id__in=")[1].split("&")[0].split(",")]
    assert seen == ids


@responses.activate
def test_bulk_returns_the_task_id_and_sends_the_bulk_header(client):
    responses.patch(BULK, json={"task": {"id": "tyg5"}})
    assert client.bulk_update("PATCH", "/users/_/bulk/update/", [{"id": "1"}]) == "tyg5"
    request = responses.calls[0].request
    assert request.headers["X-Bulk-Operation"] == "True"
    assert request.headers["Content-Type"] == "application/json"
    assert client.calls == {"reads": 0, "writes": 1}


def test_rate_limiter_spaces_requests():
    now = [0.0]
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(4, clock=lambda: now[0], sleep=sleep)
    starts = []
    for _request in range(9):
        limiter.wait()
        starts.append(now[0])
    for i, start in enumerate(starts):
        assert len([s for s in starts if start <= s < start + 1.0]) <= 4, i
    assert RateLimiter(0).interval == 0.0


def test_backoff_is_bounded_and_grows():
    assert backoff_delay(0, rand=lambda: 1.0) == 0.5
    assert backoff_delay(3, rand=lambda: 1.0) == 4.0
    assert backoff_delay(20, rand=lambda: 1.0) == 30.0
    assert backoff_delay(1, retry_after=7) == 7
