# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client's documented answers to malformed answers: bodies that are not JSON, 3xx answers, bad listings.

Issue 28: written from the docs (docs/reliability.md scenarios 23-25 and 80; the docstrings of
plugins/module_utils/_client.py and _errors.py: "an error answer (status >= 300)"), not from a mutant's diff.
Answers come from the emulator's faults (truncate, untyped) where it has them, else from `responses` mocks of
MOCK_URL, as a proxy or a broken server could send them.
"""

from __future__ import annotations

import pytest
import responses

from ubidots_testing import MOCK_URL, api_log, users_task

from ansible_collections.ubidots.industrial.plugins.module_utils._client import UbidotsError

USERS = MOCK_URL + "/api/v2.0/users/"
ROLES = MOCK_URL + "/api/v2.0/roles/"
BULK_UPDATE_PATH = "/api/v2.0/users/_/bulk/update/"
NOT_API = "the answer was cut or the URL is not the Ubidots API."


def listing(results, next_link=None):
    return {"count": len(results), "next": next_link, "previous": None, "results": results}


# -- Bodies that are not JSON on a 2xx (docs/reliability.md, scenario 23) ------------------------------------------
# "Truncated JSON answer to the write | the bulk PATCH is applied, its answer cut in half | failed (changed=True):
# Bulk request 1 of 1 failed: PATCH /api/v2.0/users/_/bulk/update/: HTTP 200 with a body that is not valid JSON
# (application/json, 21 bytes, 1 try); the answer was cut or the URL is not the Ubidots API. Request 1 may have been
# applied ..."

def test_a_truncated_answer_to_a_bulk_write_fails_the_task_and_says_it_may_have_been_applied(emulator, run_module):
    emulator.inject(BULK_UPDATE_PATH, "truncate", method="PATCH")
    run = run_module(users_task([{"username": "alice", "lastName": "Cut"}]))
    assert run.rc != 0
    msg = run.result["msg"]
    assert msg.startswith("Bulk request 1 of 1 failed: PATCH %s: HTTP 200 with a body that is not valid JSON "
                          "(application/json, " % BULK_UPDATE_PATH)
    assert "bytes, 1 try); " + NOT_API[:-1] + ". Request 1 may have been applied" in msg
    assert "Nothing was written" not in msg
    assert run.result["changed"] is True
    assert run.result["status"] == 200
    assert len(api_log(emulator, "PATCH", BULK_UPDATE_PATH)) == 1


# A proxy that strips Content-Type (the emulator's `untyped` fault, issue 28) and cuts nothing: the answer is JSON and
# is read; cut as well, the message says "no content type" instead of a kind.
@responses.activate
def test_a_cut_answer_without_a_content_type_is_named_no_content_type(client):
    responses.get(USERS, body=b'{"count": 1, "res', content_type=None)
    with pytest.raises(UbidotsError) as error:
        list(client.list("/users/"))
    assert error.value.message == (
        "GET /api/v2.0/users/: HTTP 200 with a body that is not valid JSON (no content type, 17 bytes, 1 try); "
        + NOT_API)
    assert error.value.status == 200
    assert error.value.maybe_applied is False


# The kind is the media type only, without its parameters; an empty 200 to a read is an error too (only an empty 2xx
# to a write means "done, nothing to say": request()'s docstring).
@responses.activate
def test_an_empty_or_html_answer_to_a_read_is_an_error_naming_the_media_type_only(client):
    responses.get(USERS + "alice/", body=b"", content_type="application/json")
    responses.get(USERS + "bob/", body=b"<html>Login</html>", content_type="text/html; charset=utf-8")
    with pytest.raises(UbidotsError) as empty:
        client.get("/users/", "alice")
    assert empty.value.message == (
        "GET /api/v2.0/users/alice/: HTTP 200 with a body that is not valid JSON (application/json, 0 bytes, 4 tries); "
        + NOT_API)  # an empty answer to a read is tried again (retries: 3)
    with pytest.raises(UbidotsError) as html:
        client.get("/users/", "bob")
    assert html.value.message == (
        "GET /api/v2.0/users/bob/: HTTP 200 with a body that is not valid JSON (text/html, 18 bytes, 1 try); "
        + NOT_API)
    assert html.value.status == 200 and html.value.maybe_applied is False


# A create answered 201 with a body that is not JSON was received by the server: it may have been applied.
@responses.activate
def test_a_create_answered_with_a_body_that_is_not_json_may_have_been_applied(client):
    responses.post(USERS, status=201, body=b"<html>ok</html>", content_type="text/html")
    with pytest.raises(UbidotsError) as error:
        client.create("/users/", {"username": "new"})
    assert error.value.message == (
        "POST /api/v2.0/users/: HTTP 201 with a body that is not valid JSON (text/html, 15 bytes, 1 try); " + NOT_API)
    assert error.value.maybe_applied is True
    assert error.value.status == 201
    assert len(responses.calls) == 1


# -- 3xx answers are error answers (_errors.answer_message: "The message for an error answer (status >= 300)";
# docs/reliability.md scenario 25: "HTTP 502 with a non-JSON answer (text/html) ...; is api_url the Ubidots API?") --

@responses.activate
def test_a_300_answer_to_a_delete_is_an_error_not_a_success(client):
    responses.delete(USERS + "alice/", status=300, body=b"")
    with pytest.raises(UbidotsError) as error:
        client.delete("/users/", "alice")
    assert error.value.status == 300
    assert error.value.message.startswith("DELETE /api/v2.0/users/alice/: HTTP 300 with a non-JSON answer (")


@responses.activate
def test_a_300_answer_with_json_or_html_to_a_read_is_an_error_answer(client):
    responses.get(USERS + "alice/", status=300, json={"detail": "Multiple choices."})
    responses.get(USERS + "bob/", status=300, body=b"<html>choose</html>", content_type="text/html; charset=utf-8")
    with pytest.raises(UbidotsError) as json_answer:
        client.get("/users/", "alice")
    assert json_answer.value.message == "GET /api/v2.0/users/alice/: HTTP 300: Multiple choices."
    with pytest.raises(UbidotsError) as html:
        client.get("/users/", "bob")
    assert html.value.message == (
        "GET /api/v2.0/users/bob/: HTTP 300 with a non-JSON answer (text/html); is api_url the Ubidots API?")


@responses.activate
def test_an_error_answer_without_a_content_type_says_no_content_type(client):
    responses.get(USERS + "alice/", status=404, body=b"Not here", content_type=None)
    with pytest.raises(UbidotsError) as error:
        client.get("/users/", "alice")
    assert error.value.message == (
        "GET /api/v2.0/users/alice/: HTTP 404 with a non-JSON answer (no content type); is api_url the Ubidots API?")
    assert error.value.status == 404


# -- Listings (docs/reliability.md scenario 80: "any JSON answer gives objects or a clear error", "including next
# links to other hosts and loops"; _client.pages: "Every object must hold `key` (its identity: the id, or the label
# of a role, which has no id)") -------------------------------------------------------------------------------------

@pytest.mark.parametrize("item, words", [
    ("alice", "a str where an object with an id"),
    (None, "a NoneType where an object with an id"),
    ({"username": "alice"}, "an object without id where an object with an id"),
])
@responses.activate
def test_a_listing_item_without_an_id_is_a_clear_error(client, item, words):
    responses.get(USERS, json=listing([item]))
    with pytest.raises(UbidotsError) as error:
        list(client.list("/users/"))
    assert error.value.message == "GET /api/v2.0/users/: the listing holds %s was expected." % words


@responses.activate
def test_a_role_listing_item_without_a_label_is_a_clear_error(client):
    responses.get(ROLES, json=listing([{"label": "viewer"}, {"name": "Editor"}]))
    with pytest.raises(UbidotsError) as error:
        list(client.list("/roles/", key="label"))
    assert error.value.message == (
        "GET /api/v2.0/roles/: the listing holds an object without label where an object with a label was expected.")


@responses.activate
def test_a_next_link_outside_the_api_is_refused_and_never_followed(client):
    responses.get(USERS, json=listing([{"id": "1"}], "https://api.test/other/users/?page=2"))
    with pytest.raises(UbidotsError) as error:
        list(client.list("/users/"))
    assert error.value.message == "GET /api/v2.0/users/: the listing's next link is not a URL of the API (/api/v2.0/)."
    assert len(responses.calls) == 1


@responses.activate
def test_a_next_link_back_to_a_page_already_read_is_named_a_loop(client):
    responses.get(USERS, json=listing([{"id": "1"}], USERS + "?page=2"))
    with pytest.raises(UbidotsError) as error:
        list(client.list("/users/"))
    assert error.value.message == "GET /api/v2.0/users/: the listing's next link is a page already read (a loop)."
    assert len(responses.calls) == 2
