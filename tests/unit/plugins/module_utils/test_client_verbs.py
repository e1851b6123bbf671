# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""get, create, delete, bulk and post: the requests they send, what they return, and when they retry."""

from __future__ import annotations

import json

import pytest
import requests
import responses

from ubidots_testing import MOCK_TOKEN, MOCK_URL

from ansible_collections.ubidots.industrial.plugins.module_utils._client import UbidotsError

URL, TOKEN = MOCK_URL, MOCK_TOKEN
API = URL + "/api/v2.0"


def sent_body(call):
    return json.loads(call.request.body)


@responses.activate
def test_get_reads_one_object_by_key(client):
    responses.get(API + "/users/~john.doe/", json={"id": "u1", "username": "john.doe"})
    assert client.get("/users/", "~john.doe") == {"id": "u1", "username": "john.doe"}
    assert client.calls == {"reads": 1, "writes": 0}


@responses.activate
def test_get_quotes_the_key(client):
    responses.get(API + "/organizations/~a%2Fb%20c/", json={"id": "o1"})
    assert client.get("/organizations/", "~a/b c") == {"id": "o1"}


@responses.activate
def test_create_posts_the_body_without_the_bulk_header(client):
    responses.post(API + "/users/", status=201, json={"id": "u9", "username": "ann"})
    assert client.create("/users/", {"username": "ann", "password": "pw"}) == {"id": "u9", "username": "ann"}
    call = responses.calls[0]
    assert call.request.method == "POST"
    assert sent_body(call) == {"username": "ann", "password": "pw"}
    assert "X-Bulk-Operation" not in call.request.headers
    assert call.request.headers["Content-Type"] == "application/json"
    assert client.calls == {"reads": 0, "writes": 1}


@responses.activate
def test_create_is_not_repeated_after_an_answer_that_may_mean_it_was_applied(client, sleeps):
    responses.post(API + "/users/", status=502, json={"detail": "Bad gateway"})
    responses.post(API + "/users/", status=201, json={"id": "u9"})
    with pytest.raises(UbidotsError) as err:
        client.create("/users/", {"username": "ann"})
    assert len(responses.calls) == 1 and sleeps == []
    assert err.value.maybe_applied
    assert err.value.message == "POST /api/v2.0/users/: HTTP 502: Bad gateway"


@responses.activate
def test_create_is_repeated_after_an_answer_that_means_it_was_refused(client, sleeps):
    responses.post(API + "/users/", status=429, headers={"Retry-After": "2"}, json={"detail": "slow down"})
    responses.post(API + "/users/", status=503, json={"detail": "busy"})
    responses.post(API + "/users/", body=requests.exceptions.ConnectTimeout("no"))
    responses.post(API + "/users/", status=201, json={"id": "u9"})
    assert client.create("/users/", {"username": "ann"}) == {"id": "u9"}
    assert len(responses.calls) == 4 and sleeps[0] == 2.0


@responses.activate
def test_create_is_not_repeated_after_a_timeout_once_sent(client):
    responses.post(API + "/users/", body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(UbidotsError) as err:
        client.create("/users/", {"username": "ann"})
    assert len(responses.calls) == 1 and err.value.maybe_applied
    assert "timed out after 30s, 1 try" in err.value.message


@responses.activate
def test_create_answer_must_be_an_object(client):
    responses.post(API + "/users/", status=201, json=["not", "an", "object"])
    with pytest.raises(UbidotsError) as err:
        client.create("/users/", {"username": "ann"})
    assert err.value.maybe_applied and "not an object" in err.value.message


@pytest.mark.parametrize("status", [204, 200])
@responses.activate
def test_delete_by_key(client, status):
    responses.delete(API + "/users/u1/", status=status)
    assert client.delete("/users/", "u1") is None
    assert responses.calls[0].request.method == "DELETE"
    assert client.calls == {"reads": 0, "writes": 1}


@responses.activate
def test_delete_that_finds_nothing_after_a_try_that_may_have_applied_it_is_done(client):
    responses.delete(API + "/users/u1/", status=504, json={"detail": "Gateway timeout"})
    responses.delete(API + "/users/u1/", status=404, json={"code": 404001, "detail": "Not found."})
    assert client.delete("/users/", "u1") is None
    assert len(responses.calls) == 2


@responses.activate
def test_delete_of_a_missing_object_fails(client):
    responses.delete(API + "/users/u1/", status=404, json={"code": 404001, "detail": "Not found."})
    with pytest.raises(UbidotsError) as err:
        client.delete("/users/", "u1")
    assert err.value.status == 404 and "not found (404)" in err.value.message


@pytest.mark.parametrize("path", ["/organizations/_/bulk/create/", "/organizations/_/bulk/update/",
                                  "/organizations/_/bulk/delete/"])
@responses.activate
def test_bulk_sends_the_items_with_the_bulk_header_and_returns_the_task_id(client, path):
    responses.post(API + path, json={"task": {"id": "t42"}})
    assert client.bulk("POST", path, [{"label": "a"}]) == "t42"
    call = responses.calls[0]
    assert call.request.headers["X-Bulk-Operation"] == "True"
    assert sent_body(call) == [{"label": "a"}]


@responses.activate
def test_bulk_create_is_not_repeated_after_a_500(client):
    responses.post(API + "/organizations/_/bulk/create/", status=500, json={"detail": "oops"})
    with pytest.raises(UbidotsError) as err:
        client.bulk("POST", "/organizations/_/bulk/create/", [{"label": "a"}])
    assert len(responses.calls) == 1 and err.value.maybe_applied


@responses.activate
def test_bulk_update_is_repeated_after_a_500_and_still_says_it_may_have_been_applied(client):
    for _attempt in range(4):
        responses.patch(API + "/users/_/bulk/update/", status=500, json={"detail": "oops"})
    with pytest.raises(UbidotsError) as err:
        client.bulk("PATCH", "/users/_/bulk/update/", [{"id": "1"}])
    assert len(responses.calls) == 4 and err.value.maybe_applied


@responses.activate
def test_post_sends_a_membership_change_without_the_bulk_header(client):
    path = "/users/~ann/_/assign_organizations/"
    responses.post(API + path, json={"count": 1, "next": None, "previous": None, "results": [{"label": "plant"}]})
    answer = client.post(path, [{"label": "plant", "role": "viewer"}])
    assert answer["results"] == [{"label": "plant"}]
    call = responses.calls[0]
    assert sent_body(call) == [{"label": "plant", "role": "viewer"}]
    assert "X-Bulk-Operation" not in call.request.headers
    assert client.calls == {"reads": 0, "writes": 1}
