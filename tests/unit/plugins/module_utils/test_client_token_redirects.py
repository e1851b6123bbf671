# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The token goes to api_url's origin only and never into a message; timeouts are bounded; prefixed api_url pages."""

from __future__ import annotations

import pytest
import responses

from ansible_collections.ubidots.industrial.plugins.module_utils._client import UbidotsClient, UbidotsError

URL = "https://api.test"
TOKEN = "tok-SECRET-123"
USERS = URL + "/api/v2.0/users/"
EMPTY = {"count": 0, "next": None, "previous": None, "results": []}


def make(url=URL, token=TOKEN, **kwargs):
    kwargs.setdefault("rate_limit", 0)
    kwargs.setdefault("retries", 2)
    kwargs.setdefault("sleep", lambda seconds: None)
    return UbidotsClient(url, token, **kwargs)


# -- the token ---------------------------------------------------------------------------

@pytest.mark.parametrize("stored", [TOKEN + "\n", TOKEN + "\r\n", "  " + TOKEN + "\t", "\n" + TOKEN])
@responses.activate
def test_surrounding_whitespace_is_stripped_from_the_token(stored):
    responses.get(USERS, json=EMPTY)
    assert list(make(token=stored).list("/users/")) == []
    assert responses.calls[0].request.headers["X-Auth-Token"] == TOKEN


@pytest.mark.parametrize("token", ["Q7xK-zq\nW9pv", "Q7xK-zq\rW9pv", "Q7xK\x00zqW9pv", "Q7xK-zq\x7fW9pv",
                                   "Q7xK-zq\u20acW9pv", "Q7xK-zq\u2028W9pv"])
@responses.activate
def test_a_token_with_an_inner_control_or_non_ascii_character_is_refused_before_any_request(token):
    with pytest.raises(UbidotsError) as err:
        make(token=token)
    assert "api_token holds a line break" in err.value.message
    for part in ("Q7xK", "zq", "W9pv", "\\x", "\\u"):
        assert part not in err.value.message and part not in repr(err.value)
    assert len(responses.calls) == 0


# docs/reliability.md, scenario 3: "failed, 0 requests sent: api_token holds a line break, another control character
# or a non-ASCII character inside it; a Ubidots token is printable ASCII. Check how the token was stored (" (the
# table cuts it; the rest says the token is not shown).
@responses.activate
def test_the_refused_token_message_says_what_a_token_is_and_where_to_look():
    with pytest.raises(UbidotsError) as err:
        make(token="Q7xK-zq\nW9pv")
    assert err.value.message == (
        "api_token holds a line break, another control character or a non-ASCII character inside it; a Ubidots "
        "token is printable ASCII. Check how the token was stored (it is not shown here).")


# "a Ubidots token is printable ASCII": every printable ASCII character, the space and the tilde at its two ends
# too, is sent as given.
@pytest.mark.parametrize("token", ["BBUS-a b", "BBUS-a~b", "~BBUS-" + "".join(chr(c) for c in range(33, 127))])
@responses.activate
def test_a_token_of_printable_ascii_is_sent_as_given(token):
    responses.get(USERS, json=EMPTY)
    assert list(make(token=token).list("/users/")) == []
    assert responses.calls[0].request.headers["X-Auth-Token"] == token


@pytest.mark.parametrize("token", ["", "   ", "\n", None])
def test_an_empty_token_is_refused(token):
    with pytest.raises(UbidotsError) as err:
        make(token=token)
    assert "api_token is empty" in err.value.message


# -- timeout -----------------------------------------------------------------------------

# The timeout option: "Must be 1 or more": 1 itself is a timeout the client takes.
@responses.activate
def test_a_timeout_of_one_second_is_taken():
    responses.get(USERS, json=EMPTY)
    assert list(make(timeout=1).list("/users/")) == []
    assert len(responses.calls) == 1


@pytest.mark.parametrize("timeout", [0, -1, 0.0, None])
def test_a_timeout_that_would_wait_forever_is_refused(timeout):
    with pytest.raises((UbidotsError, ValueError)) as err:
        make(timeout=timeout)
    assert "timeout must be more than 0 seconds" in str(err.value)


# -- redirects ---------------------------------------------------------------------------

@responses.activate
def test_a_redirect_to_another_origin_is_not_followed_and_carries_no_token():
    responses.get(USERS, status=302, headers={"Location": "https://evil.test:8443/steal?secret=q1#frag"})
    stolen = responses.get("https://evil.test:8443/steal", json=EMPTY)
    with pytest.raises(UbidotsError) as err:
        list(make().list("/users/"))
    assert stolen.call_count == 0
    assert len(responses.calls) == 1
    assert err.value.message == (
        "GET /api/v2.0/users/: the server redirected to https://evil.test:8443, outside api_url "
        "(https://api.test); the token is only sent to api_url. Set api_url to the address the API answers on.")
    assert "secret" not in err.value.message and "steal" not in err.value.message
    assert not err.value.maybe_applied


@pytest.mark.parametrize("location", [
    "http://api.test/api/v2.0/users/",        # another scheme is another origin
    "https://api.test:444/api/v2.0/users/",   # another port
    "https://sub.api.test/api/v2.0/users/",   # another host
    "https://api.test.evil/api/v2.0/users/",
])
@responses.activate
def test_every_other_origin_is_refused(location):
    responses.get(USERS, status=301, headers={"Location": location})
    with pytest.raises(UbidotsError) as err:
        list(make().list("/users/"))
    assert "outside api_url" in err.value.message
    assert len(responses.calls) == 1


@responses.activate
def test_a_redirect_within_the_origin_is_followed_with_the_token():
    responses.get(URL + "/api/v2.0/users", status=301, headers={"Location": "/api/v2.0/users/?page_size=500"})
    responses.get(USERS, json={"count": 1, "next": None, "previous": None, "results": [{"id": "u1"}]})
    client = make()
    assert client.request("GET", "/api/v2.0/users")["results"] == [{"id": "u1"}]
    assert responses.calls[-1].request.headers["X-Auth-Token"] == TOKEN


@responses.activate
def test_a_redirect_outside_the_path_prefix_is_refused():
    base = "https://proxy.test/ubidots"
    responses.get(base + "/api/v2.0/users/", status=307, headers={"Location": "https://proxy.test/other/api/v2.0/users/"})
    with pytest.raises(UbidotsError) as err:
        list(make(url=base).list("/users/"))
    assert "outside api_url (https://proxy.test/ubidots)" in err.value.message
    assert len(responses.calls) == 1


@responses.activate
def test_a_write_redirected_into_a_get_is_refused():
    bulk = USERS + "_/bulk/update/"
    responses.patch(bulk, status=303, headers={"Location": USERS})
    responses.get(USERS, json=EMPTY)
    with pytest.raises(UbidotsError) as err:
        make().bulk_update("PATCH", "/users/_/bulk/update/", [{"id": "1"}])
    assert "redirected the PATCH" in err.value.message and "GET" in err.value.message
    assert len(responses.calls) == 1


@responses.activate
def test_a_307_redirect_within_the_origin_repeats_the_write():
    bulk = USERS + "_/bulk/update/"
    responses.patch(bulk, status=307, headers={"Location": URL + "/api/v2.0/users/_/bulk/update/?x=1"})
    responses.patch(bulk, json={"task": {"id": "t1"}})
    assert make().bulk_update("PATCH", "/users/_/bulk/update/", [{"id": "1"}]) == "t1"
    assert responses.calls[1].request.body in (b'[{"id":"1"}]', '[{"id":"1"}]')
    assert responses.calls[1].request.headers["X-Auth-Token"] == TOKEN


# -- api_url with a path prefix ----------------------------------------------------------

@pytest.mark.parametrize("next_link", [
    "https://proxy.test/ubidots/api/v2.0/users/?page=2&page_size=2",   # the proxy rewrote the link
    "http://10.0.0.5:8000/api/v2.0/users/?page=2&page_size=2",        # the server behind it does not know the prefix
    "/ubidots/api/v2.0/users/?page=2&page_size=2",
])
@responses.activate
def test_pagination_under_a_path_prefix(next_link):
    base = "https://proxy.test/ubidots"
    users = base + "/api/v2.0/users/"
    responses.get(users, match=[responses.matchers.query_param_matcher({"page_size": "2"})],
                  json={"count": 3, "next": next_link, "previous": None, "results": [{"id": 1}, {"id": 2}]})
    responses.get(users, match=[responses.matchers.query_param_matcher({"page": "2", "page_size": "2"})],
                  json={"count": 3, "next": None, "previous": users, "results": [{"id": 3}]})
    assert [u["id"] for u in make(url=base + "/").list("/users/", page_size=2)] == [1, 2, 3]
    assert [call.request.url.split("?")[0] for call in responses.calls] == [users, users]


@responses.activate
def test_a_next_link_outside_the_api_is_refused():
    responses.get(USERS, json={"count": 3, "next": "https://api.test/elsewhere/?page=2", "previous": None,
                               "results": [{"id": 1}]})
    with pytest.raises(UbidotsError) as err:
        list(make().list("/users/"))
    assert "next link" in err.value.message
    assert len(responses.calls) == 1
