# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sending one try: a requests.Session bound to api_url that keeps the token there.

The token travels only in the X-Auth-Token header and only to api_url's origin and path: requests
strips Authorization on a redirect to another host, but not a custom header, so redirects are
checked here. Every failure becomes a TryFailed (no answer; another try may help) or an UbidotsError
(nothing another try can fix); no message shows any part of the token.
"""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

try:
    import requests
    _Session = requests.Session
except ImportError:  # pragma: no cover - reported by the module through missing_required_lib
    requests = None
    _Session = object

from ansible_collections.ubidots.industrial.plugins.module_utils._errors import UbidotsError, one_line

MAX_REDIRECTS = 5
_DEFAULT_PORTS = {"http": 80, "https": 443}
# How an SSLError's reason starts (see Http._tls_reason) when the server's certificate was refused.
_CERTIFICATE_REASONS = ("certificate verify failed", "CERTIFICATE_VERIFY_FAILED", "hostname")
# OpenSSL's words when the server answered the TLS handshake with something else (plain HTTP on an https:// URL).
_NOT_TLS_REASONS = ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG")


def clean_token(token):
    """The token without surrounding whitespace (a vault or file value often ends with a newline).

    Refused when empty, or when it holds a character an HTTP header cannot carry as is (a line break
    or another control character inside it, or a non-ASCII character): requests would echo it in
    its error. The message shows no part of the token.
    """
    token = token.strip() if isinstance(token, str) else ""
    if not token:
        raise UbidotsError("api_token is empty: set api_token (or token), or the UBIDOTS_TOKEN environment variable.")
    if not all(" " <= char <= "~" for char in token):
        raise UbidotsError("api_token holds a line break, another control character or a non-ASCII character inside it; "
                           "a Ubidots token is printable ASCII. Check how the token was stored (it is not shown here).")
    return token


def check_timeout(timeout):
    """The timeout in seconds, refused unless it is a number above 0 (0 or None would wait forever)."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < float("inf"):
        raise UbidotsError("timeout must be more than 0 seconds (0 or none would wait forever), got %r." % (timeout,))
    return timeout


def origin(url):
    """(scheme, host, port) of a URL, ports made explicit; None when it has no usable host or port."""
    parts = urlsplit(url)
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    return (parts.scheme.lower(), (parts.hostname or "").lower(), port) if parts.hostname else None


def shown_origin(url):
    """scheme://host[:port] of a URL, for messages: never its path, query or user info."""
    parts = urlsplit(url)
    try:
        port = ":%d" % parts.port if parts.port else ""
    except ValueError:
        port = ""
    return "%s://%s%s" % (parts.scheme, parts.hostname or "?", port)


class TryFailed(Exception):
    """A try that got no answer: what happened (`failure`), and whether the request may have reached the server."""

    def __init__(self, failure, sent):
        super().__init__(failure)
        self.failure = failure
        self.sent = sent


class RedirectRefused(Exception):
    """A redirect this client does not follow (raised from inside requests' redirect loop)."""


class GuardedSession(_Session):
    """A Session that follows a redirect only within `base_url` (its origin and path prefix), keeping the method."""

    def __init__(self, base_url):
        super().__init__()
        self.max_redirects = MAX_REDIRECTS
        self.base_url = base_url
        self._origin = origin(base_url)
        self._prefix = urlsplit(base_url).path.rstrip("/")

    def within(self, url):
        """Whether `url` is under base_url: same origin, same path prefix."""
        path = urlsplit(url).path
        return origin(url) == self._origin and (path == self._prefix or path.startswith(self._prefix + "/"))

    def rebuild_auth(self, prepared_request, response):
        """Called by requests before it sends a redirected request: refuse it unless it stays within api_url."""
        if not self.within(prepared_request.url):
            raise RedirectRefused("the server redirected to %s, outside api_url (%s); the token is only sent to api_url. "
                                  "Set api_url to the address the API answers on."
                                  % (shown_origin(prepared_request.url), self.base_url))
        if prepared_request.method != response.request.method:
            raise RedirectRefused("the server redirected the %s as a %s (HTTP %d); it is not followed. "
                                  "Set api_url to the address the API answers on."
                                  % (response.request.method, prepared_request.method, response.status_code))
        super().rebuild_auth(prepared_request, response)


# getaddrinfo's answers that mean the name does not exist (NXDOMAIN, no address): another try gives the same.
# EAI_AGAIN (the resolver could not be asked) is worth another try.
_NO_SUCH_NAME = frozenset(getattr(socket, name) for name in ("EAI_NONAME", "EAI_NODATA") if hasattr(socket, name))


def _unresolvable(exc):
    """Whether a failed connection is a host name that does not exist (getaddrinfo's EAI_NONAME or EAI_NODATA)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, socket.gaierror):
            return exc.errno in _NO_SUCH_NAME
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = getattr(exc, "reason", None) or inner or exc.__cause__ or exc.__context__
        seen += 1
    return False


def _connection_failure(exc, host):
    """(words, sent) for a failed connection to `host`: what happened, and whether the request may have reached the server."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "could not connect", False
    if isinstance(exc, requests.exceptions.Timeout):
        return None, True
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the connection broke while the answer was read", True
    inner = exc.args[0] if exc.args else None
    reason = getattr(inner, "reason", inner)  # MaxRetryError(reason=...) or the urllib3 error itself
    if isinstance(reason, Exception):
        name = type(reason).__name__
        if name == "NameResolutionError":
            return "the host name %s could not be resolved for now" % host, False
        if name in ("NewConnectionError", "ConnectTimeoutError"):
            return "could not connect: %s" % ("connection refused" if "refused" in str(reason).lower() else name), False
        if name == "ProtocolError":
            text = str(reason)
            if "RemoteDisconnected" in text or "without response" in text:
                return "the server closed the connection without an answer", True
            if "reset" in text.lower():
                return "the connection was reset", True
            return "the connection broke", True
    return None, True


class Http:
    """One session to api_url, with the token, the timeout and certificate checks; `send` makes one try."""

    def __init__(self, base_url, token, timeout, validate_certs, user_agent):
        self.base_url = base_url
        self.token = clean_token(token)
        self.timeout = check_timeout(timeout)
        # verify per request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a
        # session-level verify=False, which silently turned validate_certs: false back on.
        self.verify = validate_certs
        self.session = GuardedSession(base_url)
        self.session.headers.update({"X-Auth-Token": self.token, "Accept": "application/json", "User-Agent": user_agent})

    def redact(self, text):
        """`text` without the token."""
        return text.replace(self.token, "********")

    def send(self, method, url, shown, params=None, data=None, headers=None):
        """The answer to one try; TryFailed when there is none, UbidotsError when no other try can help.

        `shown` is the path messages show (never the query string, which may hold values).
        """
        where = "%s %s" % (method, shown)
        try:
            return self.session.request(method, url, params=params, data=data, headers=headers,
                                        timeout=self.timeout, verify=self.verify)
        except RedirectRefused as exc:
            raise UbidotsError("%s: %s" % (where, exc), method=method, path=shown) from None
        except requests.exceptions.SSLError as exc:
            reason = self._tls_reason(exc)
            if any(words in reason for words in _NOT_TLS_REASONS):
                # No certificate was looked at: the server did not answer in TLS.
                raise UbidotsError("%s: the TLS handshake with %s failed (%s); if the server speaks plain HTTP there, "
                                   "api_url must start with http://." % (where, self.base_url, reason),
                                   method=method, path=shown) from None
            raise UbidotsError("%s: TLS certificate verification failed for %s (%s). Fix the certificate chain, or set "
                               "validate_certs: false only against a test server."
                               % (where, self.base_url, reason), method=method, path=shown) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                requests.exceptions.ChunkedEncodingError) as exc:
            host = urlsplit(url).hostname
            if _unresolvable(exc):
                raise UbidotsError("%s: the host name %s does not resolve (api_url is %s); check api_url or the UBIDOTS_API_URL "
                                   "environment variable. Not tried again." % (where, host, self.base_url),
                                   method=method, path=shown) from None
            words, sent = _connection_failure(exc, host)
            if isinstance(exc, requests.exceptions.Timeout) and words is None:
                raise TryFailed("timed out after %ss" % self.timeout, sent) from None
            raise TryFailed("connection failed (%s)" % (words or type(exc).__name__), sent) from None
        except requests.exceptions.RequestException as exc:
            # Not a network failure: api_url is not a usable http(s) URL, too many redirects, ...
            raise UbidotsError("%s: %s (%s); check api_url (now %s)." % (
                where, type(exc).__name__, one_line(self.redact(str(exc)), 160), self.base_url), method=method, path=shown) from None
        except OSError as exc:
            # Raised before any connection: e.g. REQUESTS_CA_BUNDLE names a file that does not exist.
            raise UbidotsError("%s: %s; check validate_certs and the CA bundle (REQUESTS_CA_BUNDLE)." % (
                where, one_line(self.redact(str(exc)), 200)), method=method, path=shown) from None

    def _tls_reason(self, exc):
        """The useful end of an SSLError ("certificate verify failed: self-signed certificate"), not its URL: the
        reason is looked for after urllib3's "Caused by", as the URL before it may hold any value (a username)."""
        text = str(exc).split("Caused by ", 1)[-1]
        for marker in _CERTIFICATE_REASONS + ("SSL:",):
            at = text.find(marker)
            if at >= 0:
                text = text[at:]
                break
        # Without what the wrappers' reprs add after it: " (_ssl.c:1006)')))" or, from urllib3 1.26, "\")))".
        text = re.sub(r"""["']\)+$""", "", text.split("(_ssl.c", 1)[0].rstrip()).rstrip(" ,")
        return one_line(self.redact(text), 160)

    def close(self):
        """Close the session's connections."""
        self.session.close()
