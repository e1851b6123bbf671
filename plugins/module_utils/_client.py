# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP client for the Ubidots API v2.0.

Knows nothing of Ansible: it raises UbidotsError, which the modules turn into fail_json.
One requests.Session per module run; the token travels only in the X-Auth-Token header.
"""

from __future__ import annotations

import collections
import email.utils
import json
import random
import time
from urllib.parse import quote, urlsplit

try:
    import requests
except ImportError:  # pragma: no cover - reported by the module through missing_required_lib
    requests = None

API_PREFIX = "/api/v2.0"
DEFAULT_API_URL = "https://industrial.api.ubidots.com"
# 500 is retried too: bursts of it are common behind load balancers, and every request this client
# sends is safe to repeat (reads, and bulk updates that set absolute values computed from one read).
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
# Answers to a write after which the server may have applied it (a gateway gave up waiting, or the
# application failed half way); 429 and 503 mean the request was refused before any work.
MAYBE_APPLIED_STATUSES = frozenset((500, 502, 504))
# Longest query string a lookup builds. Proxies commonly refuse URLs over 4 or 8 KiB.
MAX_QUERY_CHARS = 3800
LIST_PAGE_SIZE = 500
BULK_HEADER_MESSAGE = "X-BULK-OPERATION"


class UbidotsError(Exception):
    """An answer or a failure of the API, with a one-line message a user can act on.

    The message never holds the token or a request body. `maybe_applied` is true when a write may
    have been applied although it failed: the connection broke or timed out after the request was
    sent, or the server accepted it (2xx) with an answer that cannot be read.
    """

    def __init__(self, message, status=None, code=None, detail=None, method=None, path=None, maybe_applied=False):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.detail = detail
        self.method = method
        self.path = path
        self.maybe_applied = maybe_applied


class RateLimiter:
    """At most `rate` requests in any one-second window, counted the way the server counts them.

    Request starts are spaced 1/rate apart (no bursts). That alone is not enough: the server counts a
    request when it arrives, after the client started it and before the client has the answer, and
    arrivals jitter (a slow connection, a busy controller), so five starts 1.01 s apart can arrive
    within 0.99 s and get a 429. So request k+rate also waits until a whole window has passed since
    request k *finished*: their arrivals are then at least a window apart whatever the jitter.
    With rate < 1 the window holds one request and lasts 1/rate seconds.
    """

    def __init__(self, rate, clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.count = max(1, int(rate)) if self.interval else 0
        self.window = self.count * self.interval
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._finished = collections.deque(maxlen=self.count or 1)

    def wait(self):
        """Block until the next request may start."""
        if not self.interval:
            return
        ready = self._next
        if len(self._finished) == self.count:
            ready = max(ready, self._finished[0] + self.window)
        now = self._clock()
        if now < ready:
            self._sleep(ready - now)
            now = ready
        self._next = now + self.interval

    def done(self):
        """Record that a request (any try of it, answered or failed) has finished."""
        if self.interval:
            self._finished.append(self._clock())


def backoff_delay(attempt, retry_after=None, base=0.5, cap=30.0, rand=random.random):
    """Seconds to wait before try number `attempt` + 1 (attempt counts from 0).

    Retry-After (seconds) from the server wins when given; otherwise exponential backoff with full jitter.
    """
    if retry_after is not None:
        return min(max(retry_after, 0.0), 120.0)
    return min(cap, base * (2 ** attempt)) * (0.5 + rand() / 2)


def _parse_retry_after(value, now=time.time):
    """Retry-After as seconds: a number of seconds, or an HTTP date (RFC 9110); None if neither."""
    try:
        return float(value)
    except (TypeError, ValueError):
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(when.timestamp() - now(), 0.0)


def _one_line(text, limit=200):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


def _connection_failure(exc):
    """(words, sent) for a failed connection: what happened, and whether the request may have reached the server."""
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
            return "the host name could not be resolved", False
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


def _cut_json(response):
    """Whether a 2xx answer claims to be JSON but does not decode (cut on the way)."""
    if "json" not in response.headers.get("Content-Type", ""):
        return False
    try:
        response.json()
    except ValueError:
        return True
    return False


def _same_origin_path(link):
    """The path and query of a `next` link, to be requested from api_url.

    Only the path is followed, never the link's host: a listing must not send the token elsewhere.
    """
    if not isinstance(link, str):
        return None
    parts = urlsplit(link)
    if not parts.path.startswith("/"):
        return None
    return parts.path + ("?" + parts.query if parts.query else "")


def format_detail(detail):
    """Flatten an Ubidots error detail ({"0": {"tags": ["msg"]}} or a string) into one line."""
    if isinstance(detail, dict):
        parts = []
        for key, value in detail.items():
            inner = format_detail(value)
            parts.append("%s: %s" % (key, inner) if inner else str(key))
        return "; ".join(parts)
    if isinstance(detail, list):
        return ", ".join(format_detail(v) for v in detail)
    return "" if detail is None else _one_line(detail)


class UbidotsClient:
    """A small Ubidots API client: auth header, timeouts, retries, rate limit, pagination, errors."""

    def __init__(self, api_url, token, timeout=30, validate_certs=True, rate_limit=4.0, retries=5,
                 user_agent="ubidots.industrial", sleep=time.sleep):
        self.base_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self._token = token
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self._sleep = sleep
        self.limiter = RateLimiter(rate_limit, sleep=sleep)
        self.session = requests.Session()
        self.session.verify = validate_certs
        self.verify = validate_certs
        self.session.headers.update({
            "X-Auth-Token": token,
            "Accept": "application/json",
            "User-Agent": user_agent,
        })
        self.calls = {"reads": 0, "writes": 0}

    def close(self):
        """Close the session's connections."""
        self.session.close()

    def _redact(self, text):
        return text.replace(self._token, "********") if self._token else text

    def _redact_value(self, value):
        """A copy of an answer's detail without the token (the engine formats it into messages)."""
        if isinstance(value, str):
            return self._redact(value)
        if isinstance(value, dict):
            return {self._redact(str(key)): self._redact_value(inner) for key, inner in value.items()}
        if isinstance(value, list):
            return [self._redact_value(inner) for inner in value]
        return value

    # -- one request -----------------------------------------------------------------

    def request(self, method, path, params=None, body=None, headers=None):
        """Send one request (with retries) and return the decoded JSON answer."""
        url = path if path.startswith("http") else self.base_url + path
        shown = path.split("?", 1)[0].replace(self.base_url, "")  # messages never show the query string
        data = None
        extra = dict(headers or {})
        if body is not None:
            data = json.dumps(body, separators=(",", ":"))
            extra["Content-Type"] = "application/json"
        counter = "reads" if method == "GET" else "writes"
        write = method != "GET"
        attempt = 0
        # Whether an earlier try of this write may have been applied: a retry then repeats it, which
        # is harmless (same absolute values), but a final failure must not claim nothing was written.
        maybe_applied = False
        while True:
            self.limiter.wait()
            self.calls[counter] += 1
            retry_after = None
            try:
                # verify per request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a
                # session-level verify=False, which silently turned validate_certs: false back on.
                try:
                    response = self.session.request(method, url, params=params, data=data, headers=extra,
                                                    timeout=self.timeout, verify=self.verify)
                finally:
                    self.limiter.done()
            except requests.exceptions.SSLError as exc:
                raise UbidotsError(
                    "%s %s: TLS certificate verification failed for %s (%s). Fix the certificate chain, or set "
                    "validate_certs: false only against a test server."
                    % (method, shown, self.base_url, self._tls_reason(exc)),
                    method=method, path=shown) from None
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:
                words, sent = _connection_failure(exc)
                maybe_applied = maybe_applied or (write and sent)
                if isinstance(exc, requests.exceptions.Timeout) and words is None:
                    failure = "timed out after %ss" % self.timeout
                else:
                    failure = "connection failed (%s)" % (words or type(exc).__name__)
                if attempt < self.retries:
                    self._sleep(backoff_delay(attempt))
                    attempt += 1
                    continue
                raise UbidotsError("%s %s: %s, %d tr%s." % (method, shown, failure, attempt + 1, "y" if attempt == 0 else "ies"),
                                   method=method, path=shown, maybe_applied=maybe_applied) from None
            except requests.exceptions.RequestException as exc:
                # Not a network failure: api_url is not a usable http(s) URL, too many redirects, ...
                raise UbidotsError("%s %s: %s (%s); check api_url (now %s)." % (
                    method, shown, type(exc).__name__, _one_line(self._redact(str(exc)), 160), self.base_url),
                    method=method, path=shown) from None
            except OSError as exc:
                # Raised before any connection: e.g. REQUESTS_CA_BUNDLE names a file that does not exist.
                raise UbidotsError("%s %s: %s; check validate_certs and the CA bundle (REQUESTS_CA_BUNDLE)." % (
                    method, shown, _one_line(self._redact(str(exc)), 200)), method=method, path=shown) from None
            status = response.status_code
            if status in RETRY_STATUSES and attempt < self.retries:
                maybe_applied = maybe_applied or (write and status in MAYBE_APPLIED_STATUSES)
                retry_after = _parse_retry_after(response.headers.get("Retry-After"))
                response.close()
                self._sleep(backoff_delay(attempt, retry_after))
                attempt += 1
                continue
            if not write and 200 <= status < 300 and attempt < self.retries and _cut_json(response):
                # A read whose JSON answer was cut on the way: safe to ask again.
                response.close()
                self._sleep(backoff_delay(attempt))
                attempt += 1
                continue
            return self._decode(response, method, shown, attempt + 1, maybe_applied)

    def _tls_reason(self, exc):
        """The useful end of an SSLError ("certificate verify failed: self-signed certificate"), not its URL."""
        text = str(exc)
        for marker in ("certificate verify failed", "CERTIFICATE_VERIFY_FAILED", "hostname", "SSL:"):
            at = text.find(marker)
            if at >= 0:
                text = text[at:]
                break
        return _one_line(self._redact(text.split("(_ssl.c", 1)[0].rstrip(" ,'\"")), 160)

    def _decode(self, response, method, path, tries, maybe_applied=False):
        status = response.status_code
        write = method != "GET"
        try:
            payload = response.json()
        except ValueError:
            payload = None
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            if 200 <= status < 300:
                raise UbidotsError("%s %s: HTTP %d with a body that is not valid JSON (%s, %d bytes, %d tr%s); "
                                   "the answer was cut or the URL is not the Ubidots API."
                                   % (method, path, status, kind, len(response.content), tries,
                                      "y" if tries == 1 else "ies"),
                                   status=status, method=method, path=path, maybe_applied=write)
        if 200 <= status < 300:
            return payload
        maybe_applied = maybe_applied or (write and status in MAYBE_APPLIED_STATUSES)
        raise UbidotsError(self._error_message(status, payload, response, method, path, tries),
                           status=status, code=payload.get("code") if isinstance(payload, dict) else None,
                           detail=self._redact_value(payload.get("detail")) if isinstance(payload, dict) else None,
                           method=method, path=path, maybe_applied=maybe_applied)

    def _error_message(self, status, payload, response, method, path, tries):
        where = "%s %s" % (method, path)
        if not isinstance(payload, dict):
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            extra = " after %d tries" % tries if status in RETRY_STATUSES else ""
            return "%s: HTTP %d with a non-JSON answer (%s)%s; is api_url the Ubidots API?" % (where, status, kind, extra)
        code = payload.get("code")
        detail = payload.get("detail")
        if code == 401001 or (status == 401 and "not provided" in str(detail)):
            return "%s: no credentials were sent (401001). Set api_token or UBIDOTS_TOKEN." % where
        if status == 401:
            return ("%s: the token was refused (%s incorrect authentication credentials). "
                    "Check api_token or UBIDOTS_TOKEN." % (where, code or 401002))
        if status == 403:
            return ("%s: permission denied (403%s): the token's user may not do this; "
                    "use a token with administration rights." % (where, ", %s" % code if code else ""))
        if status == 404:
            return "%s: not found (404): %s" % (where, self._redact(format_detail(detail) or "no such object"))
        if status == 429:
            return "%s: still rate limited (429) after %d tries; lower rate_limit or raise retries." % (where, tries)
        if isinstance(detail, str) and BULK_HEADER_MESSAGE in detail:
            return "%s: the API refused the bulk request: %s" % (where, self._redact(_one_line(detail)))
        if code == 400001:
            return "%s: validation error (400001): %s" % (where, self._redact(format_detail(detail)))
        extra = " after %d tries" % tries if status in RETRY_STATUSES else ""
        text = format_detail(detail) or format_detail(payload.get("message")) or "no detail"
        return "%s: HTTP %d%s: %s" % (where, status, extra, self._redact(text))

    # -- reads -----------------------------------------------------------------------

    def get(self, path, key, params=None):
        """GET one object: <path><key>/."""
        return self.request("GET", API_PREFIX + path + quote(str(key), safe="~") + "/", params=params)

    def list(self, path, params=None, page_size=LIST_PAGE_SIZE):
        """Yield every object of a listing, following the envelope's `next` links."""
        query = dict(params or {})
        query.setdefault("page_size", page_size)
        page = self.request("GET", API_PREFIX + path, params=query)
        seen = set()
        while True:
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise UbidotsError("GET %s: the answer is not a paginated listing {count, next, previous, results}."
                                   % (API_PREFIX + path), method="GET", path=API_PREFIX + path)
            for item in page["results"]:
                if not isinstance(item, dict) or "id" not in item:
                    raise UbidotsError("GET %s: the listing holds %s where an object with an id was expected."
                                       % (API_PREFIX + path, "an object without id" if isinstance(item, dict) else "a " + type(item).__name__),
                                       method="GET", path=API_PREFIX + path)
                yield item
            next_url = page.get("next")
            if not next_url:
                return
            next_path = _same_origin_path(next_url)
            if next_path is None or next_path in seen:
                raise UbidotsError("GET %s: the listing's next link is %s." % (
                    API_PREFIX + path, "not a URL" if next_path is None else "a page already read (a loop)"),
                    method="GET", path=API_PREFIX + path)
            seen.add(next_path)
            page = self.request("GET", next_path)

    def lookup(self, path, param, values, fields=None):
        """Yield the objects whose `param` (e.g. id__in) is one of `values`, in chunks that keep URLs short."""
        values = list(values)
        fields_part = ",".join(fields) if fields else None
        budget = MAX_QUERY_CHARS - len(param) - (len(quote(fields_part, safe="")) + 8 if fields_part else 0) - 40
        # Each value costs its percent-encoded length plus the encoded comma that joins it (%2C).
        costs = [len(quote(value, safe="")) + 3 for value in values]
        start = 0
        while start < len(values):
            chunk, size = [], 0
            while start < len(values) and (not chunk or size + costs[start] <= budget):
                chunk.append(values[start])
                size += costs[start]
                start += 1
            params = {param: ",".join(chunk)}
            if fields_part:
                params["fields"] = fields_part
            yield from self.list(path, params, page_size=max(len(chunk), 1))

    # -- writes ----------------------------------------------------------------------

    def bulk_update(self, method, path, items):
        """Send one bulk update and return the id of the asynchronous task."""
        answer = self.request(method, API_PREFIX + path, body=items, headers={"X-Bulk-Operation": "True"})
        task = answer.get("task") if isinstance(answer, dict) else None
        if not isinstance(task, dict) or "id" not in task:
            raise UbidotsError("%s %s: the answer holds no task id." % (method, path),
                               method=method, path=path, maybe_applied=True)
        return str(task["id"])

    def bulk(self, method, path, items):
        """Send one bulk request (create, update or delete) and return the id of its asynchronous task."""
        return self.bulk_update(method, path, items)

    def create(self, path, body):
        """POST one new object; return it as the API answered."""
        return self.request("POST", API_PREFIX + path, body=body)

    def post(self, path, body):
        """POST a body that is not a bulk request (memberships); return the decoded answer."""
        return self.request("POST", API_PREFIX + path, body=body)

    def delete(self, path, key):
        """DELETE one object: <path><key>."""
        self.request("DELETE", API_PREFIX + path + quote(str(key), safe="~"))
