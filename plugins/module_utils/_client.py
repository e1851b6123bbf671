# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP client for the Ubidots API v2.0.

Knows nothing of Ansible: it raises UbidotsError, which the modules turn into fail_json.
One requests.Session per module run; the token travels only in the X-Auth-Token header.
"""

from __future__ import annotations

import json
import random
import time

try:
    import requests
except ImportError:  # pragma: no cover - reported by the module through missing_required_lib
    requests = None

API_PREFIX = "/api/v2.0"
DEFAULT_API_URL = "https://industrial.api.ubidots.com"
RETRY_STATUSES = frozenset((429, 502, 503, 504))
# Longest query string a lookup builds. Proxies commonly refuse URLs over 4 or 8 KiB.
MAX_QUERY_CHARS = 3800
LIST_PAGE_SIZE = 500
BULK_HEADER_MESSAGE = "X-BULK-OPERATION"


class UbidotsError(Exception):
    """An answer or a failure of the API, with a one-line message a user can act on.

    The message never holds the token or a request body.
    """

    def __init__(self, message, status=None, code=None, detail=None, method=None, path=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.detail = detail
        self.method = method
        self.path = path


class RateLimiter:
    """Spaces request starts so that at most `rate` begin in any one-second window."""

    def __init__(self, rate, clock=time.monotonic, sleep=time.sleep):
        self.interval = (1.0 / rate) * 1.01 if rate and rate > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0

    def wait(self):
        """Block until the next request may start."""
        if not self.interval:
            return
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


def backoff_delay(attempt, retry_after=None, base=0.5, cap=30.0, rand=random.random):
    """Seconds to wait before try number `attempt` + 1 (attempt counts from 0).

    Retry-After (seconds) from the server wins when given; otherwise exponential backoff with full jitter.
    """
    if retry_after is not None:
        return min(max(retry_after, 0.0), 120.0)
    return min(cap, base * (2 ** attempt)) * (0.5 + rand() / 2)


def _parse_retry_after(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _one_line(text, limit=200):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


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

    # -- one request -----------------------------------------------------------------

    def request(self, method, path, params=None, body=None, headers=None):
        """Send one request (with retries) and return the decoded JSON answer."""
        url = path if path.startswith("http") else self.base_url + path
        shown = path if not path.startswith("http") else path.split("?", 1)[0].replace(self.base_url, "")
        data = None
        extra = dict(headers or {})
        if body is not None:
            data = json.dumps(body, separators=(",", ":"))
            extra["Content-Type"] = "application/json"
        counter = "reads" if method == "GET" else "writes"
        attempt = 0
        while True:
            self.limiter.wait()
            self.calls[counter] += 1
            retry_after = None
            try:
                response = self.session.request(method, url, params=params, data=data, headers=extra,
                                                timeout=self.timeout)
            except requests.exceptions.SSLError as exc:
                raise UbidotsError(
                    "TLS certificate verification failed for %s (%s). Fix the certificate chain, or set "
                    "validate_certs: false only against a test server." % (self.base_url, _one_line(self._redact(str(exc)), 160)),
                    method=method, path=shown) from None
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                failure = "timed out after %ss" % self.timeout if isinstance(exc, requests.exceptions.Timeout) \
                    else "connection failed (%s)" % type(exc).__name__
                if attempt < self.retries:
                    self._sleep(backoff_delay(attempt))
                    attempt += 1
                    continue
                raise UbidotsError("%s %s: %s, %d tries." % (method, shown, failure, attempt + 1),
                                   method=method, path=shown) from None
            if response.status_code in RETRY_STATUSES and attempt < self.retries:
                retry_after = _parse_retry_after(response.headers.get("Retry-After"))
                response.close()
                self._sleep(backoff_delay(attempt, retry_after))
                attempt += 1
                continue
            return self._decode(response, method, shown, attempt + 1)

    def _decode(self, response, method, path, tries):
        status = response.status_code
        try:
            payload = response.json()
        except ValueError:
            payload = None
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            if 200 <= status < 300:
                raise UbidotsError("%s %s: HTTP %d with a body that is not valid JSON (%s, %d bytes); "
                                   "the answer was cut or the URL is not the Ubidots API."
                                   % (method, path, status, kind, len(response.content)),
                                   status=status, method=method, path=path)
        if 200 <= status < 300:
            return payload
        raise UbidotsError(self._error_message(status, payload, response, method, path, tries),
                           status=status, code=payload.get("code") if isinstance(payload, dict) else None,
                           detail=payload.get("detail") if isinstance(payload, dict) else None,
                           method=method, path=path)

    def _error_message(self, status, payload, response, method, path, tries):
        where = "%s %s" % (method, path)
        if not isinstance(payload, dict):
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            extra = " after %d tries" % tries if status in RETRY_STATUSES else ""
            return "%s: HTTP %d%s with a non-JSON answer (%s); is api_url the Ubidots API?" % (where, status, extra, kind)
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

    def get(self, path, params=None):
        """GET one resource."""
        return self.request("GET", API_PREFIX + path, params=params)

    def list(self, path, params=None, page_size=LIST_PAGE_SIZE):
        """Yield every object of a listing, following the envelope's `next` links."""
        query = dict(params or {})
        query.setdefault("page_size", page_size)
        page = self.request("GET", API_PREFIX + path, params=query)
        while True:
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise UbidotsError("GET %s: the answer is not a paginated listing {count, next, previous, results}." % path)
            for item in page["results"]:
                yield item
            next_url = page.get("next")
            if not next_url:
                return
            page = self.request("GET", next_url)

    def lookup(self, path, param, values, fields=None):
        """Yield the objects whose `param` (e.g. id__in) is one of `values`, in chunks that keep URLs short."""
        values = list(values)
        fields_part = ",".join(fields) if fields else None
        budget = MAX_QUERY_CHARS - len(param) - (len(fields_part) + 8 if fields_part else 0) - 40
        start = 0
        while start < len(values):
            chunk, size = [], 0
            while start < len(values) and (not chunk or size + len(values[start]) * 3 + 3 <= budget):
                # *3: a value may be percent-encoded entirely in the worst case.
                chunk.append(values[start])
                size += len(values[start]) * 3 + 3
                start += 1
            params = {param: ",".join(chunk)}
            if fields_part:
                params["fields"] = fields_part
            for item in self.list(path, params, page_size=max(len(chunk), 1)):
                yield item

    # -- writes ----------------------------------------------------------------------

    def bulk_update(self, method, path, items):
        """Send one bulk update and return the id of the asynchronous task."""
        answer = self.request(method, API_PREFIX + path, body=items, headers={"X-Bulk-Operation": "True"})
        task = answer.get("task") if isinstance(answer, dict) else None
        if not isinstance(task, dict) or "id" not in task:
            raise UbidotsError("%s %s: the answer holds no task id." % (method, path), method=method, path=path)
        return str(task["id"])
