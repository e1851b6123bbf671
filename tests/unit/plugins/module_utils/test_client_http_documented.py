# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client's documented promises on the wire: TLS failures, failed connections, redirects, pagination, lookups.

Issue 28: written from the docs (docs/how-it-works.md, 7. The connection and the token; docs/reliability.md; the
module docstrings of plugins/module_utils/_http.py and _client.py), not from a mutant's diff. Real conditions come
from the emulator (TLS, redirects, faults, a closed port) or from a patched `socket.getaddrinfo`, so requests and
urllib3 build their own exceptions; `responses` raises an exception only where no local server can produce it, built
as requests builds it.
"""

from __future__ import annotations

import socket
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
import urllib3

from ubidots_emulator import Emulator
from ubidots_testing import MOCK_TOKEN, MOCK_URL, api_log, by_name, users_task

from ansible_collections.ubidots.industrial.plugins.module_utils._client import (
    MAX_QUERY_CHARS,
    UbidotsClient,
    UbidotsError,
)

USERS = MOCK_URL + "/api/v2.0/users/"
BULK_UPDATE = "/api/v2.0/users/_/bulk/update/"
EMPTY = {"count": 0, "next": None, "previous": None, "results": []}
TLS_ADVICE = "Fix the certificate chain, or set validate_certs: false only against a test server."


def client_of(url, token, sleeps=None, retries=0):
    sleep = sleeps.append if sleeps is not None else lambda seconds: None
    return UbidotsClient(url, token, rate_limit=0, retries=retries, sleep=sleep)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and localhost (as tests/integration/test_hostile.py makes it)."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
    return str(cert), str(key)


@pytest.fixture
def no_ca_bundle(monkeypatch):
    """No CA bundle from the environment: requests verifies against its own default."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


# -- TLS (docs/reliability.md, scenario 67; _http.py: "no message shows any part of the token") ---------------------
# "validate_certs: true (the default) refuses a self-signed certificate with a message naming the reason":
# failed: GET /api/v2.0/users/: TLS certificate verification failed for https://127.0.0.1:39745 (certificate verify
# failed: self-signed certificate). Fix the certificate chain, or set validate_certs: false only against a test server.
# Nothing was written.  The reason is the useful end of the TLS error, never its URL (query strings may hold values).

def test_a_self_signed_certificate_fails_the_task_naming_the_reason_and_writes_nothing(
        certificate, no_ca_bundle, run_module):
    with Emulator(tls=certificate) as secure:
        run = run_module(users_task([{"username": "alice", "lastName": "TLS"}]), url=secure.url, token=secure.token)
        assert run.rc != 0
        assert run.result["msg"] == (
            "GET /api/v2.0/users/: TLS certificate verification failed for %s (certificate verify failed: self-signed "
            "certificate). %s Nothing was written." % (secure.url, TLS_ADVICE))
        assert not run.result.get("changed")
        assert secure.log() == []  # the handshake failed: no request reached the API


# A real use: api_url with https:// where the server (the bundled emulator, a local proxy) speaks plain HTTP. No
# certificate was looked at, so the message must not blame one nor advise validate_certs: false, which cannot help;
# it says what can. A username may hold any word, "hostname" or "SSL:" too: the reason is still taken from the TLS
# error, not from the URL before it.
@pytest.mark.parametrize("username", ["alice", "hostname-admin", "ssl:ops"])
def test_https_to_a_plain_http_server_names_the_tls_error_not_the_url(emulator, no_ca_bundle, username):
    api_url = emulator.url.replace("http://", "https://")
    with pytest.raises(UbidotsError) as err:
        list(client_of(api_url, emulator.token).lookup("/users/", "username__in", [username, "bob"]))
    message = err.value.message
    assert message.startswith("GET /api/v2.0/users/: the TLS handshake with %s failed (SSL: " % api_url)
    assert message.endswith("); if the server speaks plain HTTP there, api_url must start with http://.")
    assert "certificate" not in message and "validate_certs" not in message
    for hidden in (username, "bob", "page_size", "Max retries", "HTTPSConnectionPool", "_ssl.c", emulator.token):
        assert hidden not in message, message


# The plain-HTTP advice is for a server that did not answer in TLS, not for every TLS failure: a CA bundle that holds
# no certificate (REQUESTS_CA_BUNDLE naming the wrong file) is not cured by http://.
def test_a_ca_bundle_without_certificates_is_not_given_the_plain_http_advice(certificate, monkeypatch, tmp_path):
    bundle = tmp_path / "bundle.pem"
    bundle.write_text("not a certificate\n")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    with Emulator(tls=certificate) as secure:
        with pytest.raises(UbidotsError) as err:
            list(client_of(secure.url, secure.token).lookup("/users/", "username__in", ["alice"]))
        assert secure.log() == []
    message = err.value.message
    assert message.startswith("GET /api/v2.0/users/: TLS certificate verification failed for %s (" % secure.url), message
    assert "plain HTTP" not in message and "http://" not in message


class CertificateError(ValueError):
    """urllib3 1.26's ssl_match_hostname.CertificateError (requests >= 2.25 allows urllib3 1.26, e.g. Ubuntu 22.04)."""


def host_name_mismatch(client, reason):
    """The message of a lookup that urllib3 1.26 refuses with `reason`: it checks the host name itself ("hostname %r
    doesn't match either of %s", every name of the certificate listed), and requests wraps it as
    SSLError(MaxRetryError(pool, url, reason=SSLError(CertificateError)))."""
    pool = urllib3.HTTPSConnectionPool("api.test", 443)
    wrapped = urllib3.exceptions.MaxRetryError(pool, "/api/v2.0/users/?username__in=alice&page_size=1",
                                               urllib3.exceptions.SSLError(CertificateError(reason)))
    responses.get(USERS, body=requests.exceptions.SSLError(wrapped))
    with pytest.raises(UbidotsError) as err:
        list(client.lookup("/users/", "username__in", ["alice"]))
    assert len(responses.calls) == 1  # a TLS failure is not tried again
    return err.value.message


@responses.activate
def test_a_host_name_mismatch_is_named_cut_to_one_short_line_without_the_url(client):
    names = ", ".join(repr("node-%02d.cluster.example" % i) for i in range(12))
    reason = "hostname 'api.test' doesn't match either of %s" % names
    assert host_name_mismatch(client, reason) == "GET /api/v2.0/users/: TLS certificate verification failed for %s (%s...). %s" % (
        MOCK_URL, reason[:160], TLS_ADVICE)


@responses.activate
def test_a_short_host_name_mismatch_ends_with_the_reason_not_the_wrappers_brackets(client):
    # One certificate name: the error's text ends in the wrappers' closing brackets, which the message leaves out.
    reason = "hostname 'api.test' doesn't match 'node-01.cluster.example'"
    assert host_name_mismatch(client, reason) == "GET /api/v2.0/users/: TLS certificate verification failed for %s (%s). %s" % (
        MOCK_URL, reason, TLS_ADVICE)


# -- failed connections: retried or not, "may have been applied" (docs/reliability.md, Behaviour the table relies on;
# docs/how-it-works.md 7) -----------------------------------------------------------------------------------------
# "Connection failures, timeouts, ... are retried `retries` times." "A create is retried only after an answer that
# means it was refused (429, 503, no connection made)", never after one that may mean it was applied. "When a write
# fails after it reached the server (timeout, connection dropped after sending ...), the module fails with
# changed: true and says that request may have been applied ... it never claims 'Nothing was written' then."

def closed_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_a_refused_connection_is_retried_even_for_a_create_and_was_surely_not_applied(sleeps):
    url = "http://127.0.0.1:%d" % closed_port()
    with pytest.raises(UbidotsError) as err:
        client_of(url, MOCK_TOKEN, sleeps, retries=2).create("/users/", {"username": "ann", "password": "pw-1"})
    assert err.value.message == ("POST /api/v2.0/users/: connection failed (could not connect: connection refused), "
                                 "3 tries.")
    assert len(sleeps) == 2 and err.value.maybe_applied is False


def name_lookup_fails(monkeypatch, errno, text):
    def getaddrinfo(*_args, **_kwargs):
        raise socket.gaierror(errno, text)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_name_that_cannot_be_resolved_for_now_is_retried_even_for_a_create(monkeypatch, sleeps):
    name_lookup_fails(monkeypatch, socket.EAI_AGAIN, "Temporary failure in name resolution")
    with pytest.raises(UbidotsError) as err:
        client_of("http://ubidots.test", MOCK_TOKEN, sleeps, retries=2).create("/users/", {"username": "ann"})
    assert err.value.message == ("POST /api/v2.0/users/: connection failed (the host name ubidots.test could not be "
                                 "resolved for now), 3 tries.")
    assert len(sleeps) == 2 and err.value.maybe_applied is False


def test_a_name_that_does_not_exist_is_not_tried_again(monkeypatch, sleeps):
    name_lookup_fails(monkeypatch, socket.EAI_NONAME, "Name or service not known")
    with pytest.raises(UbidotsError) as err:
        list(client_of("http://ubidots.test", MOCK_TOKEN, sleeps, retries=2).list("/users/"))
    assert err.value.message == ("GET /api/v2.0/users/: the host name ubidots.test does not resolve (api_url is "
                                 "http://ubidots.test); check api_url or the UBIDOTS_API_URL environment variable. "
                                 "Not tried again.")
    assert sleeps == []


def urllib3_1_26_name_error():
    """The exception requests raises with urllib3 1.26 (requests >= 2.25 allows it) for a name that does not exist:
    each level raised while handling the one below, without `from` (only __context__ links them)."""
    try:
        try:
            try:
                try:
                    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
                except socket.gaierror as gaierror:
                    raise urllib3.exceptions.NewConnectionError(  # pylint: disable=raise-missing-from
                        None, "Failed to establish a new connection: %s" % gaierror)
            except urllib3.exceptions.NewConnectionError as failed:
                raise urllib3.exceptions.MaxRetryError(  # pylint: disable=raise-missing-from
                    None, "/api/v2.0/users/", failed)
        except urllib3.exceptions.MaxRetryError as exhausted:
            raise requests.exceptions.ConnectionError(exhausted)  # pylint: disable=raise-missing-from
    except requests.exceptions.ConnectionError as error:
        return error
    raise AssertionError("not reached")


@responses.activate
def test_a_name_that_does_not_exist_is_not_tried_again_whatever_urllib3_chains(client, sleeps):
    responses.get(USERS, body=urllib3_1_26_name_error())
    with pytest.raises(UbidotsError) as err:
        list(client.list("/users/"))
    assert "the host name api.test does not resolve" in err.value.message and "Not tried again." in err.value.message
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_a_connect_timeout_on_every_try_says_it_could_not_connect_and_nothing_was_applied(client, sleeps):
    for _try in range(4):
        responses.post(USERS, body=requests.exceptions.ConnectTimeout("connect timeout"))
    with pytest.raises(UbidotsError) as err:
        client.create("/users/", {"username": "ann"})
    assert err.value.message == "POST /api/v2.0/users/: connection failed (could not connect), 4 tries."
    assert len(responses.calls) == 4 and err.value.maybe_applied is False


@responses.activate
def test_an_unreachable_network_is_retried_and_not_called_a_refused_connection(client, sleeps):
    # requests: ConnectionError(MaxRetryError(pool, url, reason=NewConnectionError(conn, "...: [Errno 101] ...")))
    unreachable = urllib3.exceptions.NewConnectionError(
        None, "Failed to establish a new connection: [Errno 101] Network is unreachable")
    for _try in range(4):
        responses.post(USERS, body=requests.exceptions.ConnectionError(
            urllib3.exceptions.MaxRetryError(None, "/api/v2.0/users/", unreachable)))
    with pytest.raises(UbidotsError) as err:
        client.create("/users/", {"username": "ann"})
    assert err.value.message == ("POST /api/v2.0/users/: connection failed (could not connect: NewConnectionError), "
                                 "4 tries.")
    assert len(responses.calls) == 4 and err.value.maybe_applied is False


PROXY_REFUSED = urllib3.exceptions.MaxRetryError(None, "/api/v2.0/users/", urllib3.exceptions.ProxyError(
    "Unable to connect to proxy", OSError("Tunnel connection failed: 403 Forbidden")))


@pytest.mark.parametrize("broken, words", [
    # The answer was being read when the connection broke: the server had the request.
    (requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead(10 bytes read, 20 more expected)"),
     "the connection broke while the answer was read"),
    # requests: ConnectionError(ProtocolError(...)) once the request was (being) sent.
    (requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
        "Connection aborted.", BrokenPipeError(32, "Broken pipe"))), "the connection broke"),
    # A failure the client cannot place (here a proxy refusing the tunnel): it may have reached the server.
    (requests.exceptions.ProxyError(PROXY_REFUSED), "ProxyError"),
])
@responses.activate
def test_a_create_whose_connection_broke_is_never_repeated_and_may_have_been_applied(client, sleeps, broken, words):
    responses.post(USERS, body=broken)
    responses.post(USERS, status=201, json={"id": "u9"})
    with pytest.raises(UbidotsError) as err:
        client.create("/users/", {"username": "ann"})
    assert err.value.message == "POST /api/v2.0/users/: connection failed (%s), 1 try." % words
    assert len(responses.calls) == 1 and sleeps == [] and err.value.maybe_applied is True


# -- redirects (docs/how-it-works.md 7) -------------------------------------------------------------------------
# "A redirect is followed only within api_url and with the same method (a 307/308 for a write); a redirect anywhere
# else fails, naming only the scheme, host and port it pointed to."

def test_a_write_redirected_into_a_get_fails_naming_both_methods_and_nothing_follows(emulator):
    emulator.inject(BULK_UPDATE, "redirect", status=303, location=emulator.url + "/api/v2.0/users/")
    alice = by_name(emulator, "users")["alice"]
    with pytest.raises(UbidotsError) as err:
        client_of(emulator.url, emulator.token).bulk("PATCH", "/users/_/bulk/update/", [{"id": alice["id"]}])
    assert err.value.message == (
        "PATCH /api/v2.0/users/_/bulk/update/: the server redirected the PATCH as a GET (HTTP 303); it is not "
        "followed. Set api_url to the address the API answers on.")
    assert [(e["method"], e["status"]) for e in emulator.log()] == [("PATCH", 303)]


@pytest.mark.parametrize("location, shown", [
    ("http://elsewhere.invalid/api/v2.0/users/?token=x", "http://elsewhere.invalid"),
    ("http://elsewhere.invalid:99999/api/v2.0/users/", "http://elsewhere.invalid"),   # a port no socket has
    ("http://:8080/api/v2.0/users/", "http://?:8080"),                                 # no host at all
])
def test_a_redirect_elsewhere_names_only_scheme_host_and_port(emulator, location, shown):
    emulator.inject("/api/v2.0/users/", "redirect", status=302, location=location)
    with pytest.raises(UbidotsError) as err:
        list(client_of(emulator.url, emulator.token).list("/users/"))
    assert err.value.message == (
        "GET /api/v2.0/users/: the server redirected to %s, outside api_url (%s); the token is only sent to api_url. "
        "Set api_url to the address the API answers on." % (shown, emulator.url))
    assert len(emulator.log()) == 1


# -- the token never in a message (_http.py docstring; docs/reliability.md, secrets sweeps) ----------------------------

def test_an_error_answer_that_echoes_the_token_shows_it_masked(emulator):
    emulator.inject("/api/v2.0/users/~alice/", "status", status=404, detail="No user for token %s." % emulator.token)
    with pytest.raises(UbidotsError) as err:
        client_of(emulator.url, emulator.token).get("/users/", "~alice")
    assert err.value.message == "GET /api/v2.0/users/~alice/: not found (404): No user for token ********."


def test_a_per_item_rejection_in_a_list_names_the_item_and_masks_the_token(emulator, run_module):
    # The API's per-position detail ([{}, {...}]) is mapped back to the items (plugins/module_utils/_apply.py).
    users = by_name(emulator, "users")
    emulator.inject(BULK_UPDATE, "status", status=400,
                    detail=[{}, {"lastName": ["Not allowed with token %s." % emulator.token]}])
    run = run_module(users_task([{"id": users["alice"]["id"], "lastName": "A2"},
                                 {"id": users["bob"]["id"], "lastName": "B2"}]))
    assert run.rc != 0
    assert "users[1] (id %s): lastName: Not allowed with token ********." % users["bob"]["id"] in run.result["msg"]
    assert emulator.token not in run.output


# -- writes and their answers (docs/how-it-works.md 5: bulk requests "answer a task id (`tasks`)") --------------------

def test_a_bulk_answer_without_a_task_id_fails_and_may_have_been_applied(emulator, run_module):
    bob = by_name(emulator, "users")["bob"]
    emulator.inject(BULK_UPDATE, "status", status=200, detail="queued")
    run = run_module(users_task([{"id": bob["id"], "lastName": "Queued"}]))
    assert run.rc != 0
    msg = run.result["msg"]
    # The path as every other message names it, with the API's prefix.
    assert msg.startswith("Bulk request 1 of 1 failed: PATCH /api/v2.0/users/_/bulk/update/: the answer holds no task id. ")
    assert "may have been applied" in msg and "Nothing was written" not in msg
    assert run.result["changed"] is True


@responses.activate
def test_a_create_answer_that_is_not_an_object_fails_naming_the_request(client):
    responses.post(USERS, status=201, json=[{"id": "u9"}])
    with pytest.raises(UbidotsError) as err:
        client.create("/users/", {"username": "ann"})
    assert err.value.message == "POST /api/v2.0/users/: the answer is not an object."
    assert err.value.maybe_applied is True


def test_a_refused_delete_names_the_request(emulator):
    readonly = [token for token, role in emulator.tokens.items() if role == "readonly"][0]
    dave = by_name(emulator, "users")["dave"]
    with pytest.raises(UbidotsError) as err:
        client_of(emulator.url, readonly).delete("/users/", dave["id"])
    assert err.value.message.startswith("DELETE /api/v2.0/users/%s/: permission denied (403, 403001)" % dave["id"])
    assert [e["method"] for e in api_log(emulator)] == ["DELETE"]


# -- pagination (docs/how-it-works.md 7) ------------------------------------------------------------------------
# "A listing's `next` link is read as a path under `api_url`, with or without the prefix, whatever host it names."

@responses.activate
def test_a_next_link_without_a_query_is_read_as_that_path_under_api_url(client):
    responses.get(USERS, json={"count": 2, "next": "http://backend:8000/api/v2.0/users/page/2/", "previous": None,
                               "results": [{"id": "u1"}]})
    responses.get(MOCK_URL + "/api/v2.0/users/page/2/", json={"count": 2, "next": None, "previous": USERS,
                                                              "results": [{"id": "u2"}]})
    assert [u["id"] for u in client.list("/users/")] == ["u1", "u2"]
    assert responses.calls[1].request.url == MOCK_URL + "/api/v2.0/users/page/2/"


# -- lookups (docs/how-it-works.md 2) -----------------------------------------------------------------------------
# "The module reads only the listed objects (id__in=...) in chunks that keep each URL under about 4 KB and asks only
# for the fields it compares (fields=)." _client.py: MAX_QUERY_CHARS is the longest query string a lookup builds.

USER_FIELDS = ["contactMethods", "decimalPlaces", "defaultDashboard", "defaultOrganization", "defaultRole", "email",
               "firstName", "id", "isActive", "language", "lastName", "numberFormat", "tags", "timezone", "username",
               "website"]


@pytest.mark.parametrize("fields", [USER_FIELDS, None])
@responses.activate
def test_a_lookup_keeps_every_query_short_and_asks_for_one_page_per_chunk(client, fields):
    ids = ["%024x" % i for i in range(400)]
    responses.get(USERS, json=EMPTY)
    assert list(client.lookup("/users/", "id__in", ids, fields=fields)) == []
    asked = []
    for call in responses.calls:
        query = urlsplit(call.request.url).query
        assert len(query) <= MAX_QUERY_CHARS, len(query)
        params = parse_qs(query)
        chunk = params["id__in"][0].split(",")
        assert params["page_size"] == [str(len(chunk))]
        assert params.get("fields") == ([",".join(fields)] if fields else None)
        asked += chunk
    assert asked == ids


# An SSLError need not come through urllib3's retry wrapper ("... (Caused by SSLError(...))"): a TLS failure while
# the answer is read is raised by requests as the bare OpenSSL text. The message still names its reason.
@responses.activate
def test_a_tls_error_without_urllib3_wrapping_is_named_by_its_reason(client):
    text = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)"
    responses.get(USERS, body=requests.exceptions.SSLError(text))
    with pytest.raises(UbidotsError) as err:
        list(client.list("/users/"))
    assert err.value.message == ("GET /api/v2.0/users/: TLS certificate verification failed for %s (certificate "
                                 "verify failed: self-signed certificate). %s" % (MOCK_URL, TLS_ADVICE))


# docs/reliability.md row 31: "api_url that is not http(s) | api_url: ftp://127.0.0.1/ | failed (changed=False): GET
# /api/v2.0/users/: InvalidSchema (No connection adapters were found for 'ftp://127.0.0.1/api/v2.0/users/'); check
# api_url (now ftp://127.0.0.1). Nothing was written."
def test_an_api_url_that_is_not_http_fails_with_the_documented_message(run_module):
    run = run_module(users_task([{"username": "alice", "lastName": "Ftp"}]), url="ftp://127.0.0.1/")
    assert run.rc != 0 and not run.result.get("changed"), run.output
    assert run.result["msg"] == ("GET /api/v2.0/users/: InvalidSchema (No connection adapters were found for "
                                 "'ftp://127.0.0.1/api/v2.0/users/'); check api_url (now ftp://127.0.0.1). "
                                 "Nothing was written.")


# docs/reliability.md: "a private CA is trusted through REQUESTS_CA_BUNDLE"; a bundle that cannot be read is named,
# before any connection, with where to look, and the token is in no part of the message.
def test_a_ca_bundle_that_does_not_exist_is_named_before_any_connection(run_module, tmp_path):
    missing = str(tmp_path / "no-such-ca.pem")
    run = run_module(users_task([{"username": "alice", "lastName": "CA"}]), url="https://127.0.0.1:1",
                     env={"REQUESTS_CA_BUNDLE": missing, "CURL_CA_BUNDLE": None})
    assert run.rc != 0 and not run.result.get("changed"), run.output
    assert run.result["msg"] == ("GET /api/v2.0/users/: Could not find a suitable TLS CA certificate bundle, invalid "
                                 "path: %s; check validate_certs and the CA bundle (REQUESTS_CA_BUNDLE). Nothing was "
                                 "written." % missing)
