# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP client for the Ubidots API v2.0: one object per verb the engine needs.

Knows nothing of Ansible: it raises UbidotsError, which the modules turn into fail_json.
One requests.Session per module run (_http), retries decided by _retry, the rate by _ratelimit.
The token is stripped of surrounding whitespace and travels only to api_url (see _http).
"""

from __future__ import annotations

import json
import time
from urllib.parse import quote, urlsplit

from ansible_collections.ubidots.industrial.plugins.module_utils._errors import (
    UbidotsError,
    answer_message,
    format_detail,
    tries_text,
)
from ansible_collections.ubidots.industrial.plugins.module_utils._http import Http, TryFailed
from ansible_collections.ubidots.industrial.plugins.module_utils._ratelimit import RateLimiter
from ansible_collections.ubidots.industrial.plugins.module_utils._retry import Outcome, backoff_delay

__all__ = ["API_PREFIX", "DEFAULT_API_URL", "RateLimiter", "UbidotsClient", "UbidotsError", "backoff_delay", "format_detail"]

API_PREFIX = "/api/v2.0"
DEFAULT_API_URL = "https://industrial.api.ubidots.com"
# Longest query string a lookup builds. Proxies commonly refuse URLs over 4 or 8 KiB.
MAX_QUERY_CHARS = 3800
LIST_PAGE_SIZE = 500
BULK_HEADERS = {"X-Bulk-Operation": "True"}


class UbidotsClient:
    """A small Ubidots API client: auth header, timeouts, retries, rate limit, pagination, errors.

    `calls` counts the tries sent: {"reads": GETs, "writes": everything else}.
    """

    def __init__(self, api_url, token, timeout=30, validate_certs=True, rate_limit=4.0, retries=5,
                 user_agent="ubidots.industrial", sleep=time.sleep):
        self.base_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self._prefix = urlsplit(self.base_url).path  # a reverse proxy's path, "" for the API itself
        self._http = Http(self.base_url, token, timeout, validate_certs, user_agent)
        self.retries = max(0, int(retries))
        self._sleep = sleep
        self.limiter = RateLimiter(rate_limit, sleep=sleep)
        self.calls = {"reads": 0, "writes": 0}

    def close(self):
        """Close the session's connections."""
        self._http.close()

    # -- one request: tries, then decode -------------------------------------------------

    def request(self, method, path, params=None, body=None, headers=None, repeatable=True):
        """Send one request (with retries) and return the decoded JSON answer (None for an empty 2xx to a write).

        `path` is API_PREFIX + ... or a URL under api_url. A request that is not `repeatable` (a create)
        is tried again only when the failed try surely was not applied.
        """
        url = path if path.startswith("http") else self.base_url + path
        shown = url.split("?", 1)[0].replace(self.base_url, "", 1)  # messages never show the query string
        data = None if body is None else json.dumps(body, separators=(",", ":"))
        headers = dict(headers or {}, **({"Content-Type": "application/json"} if data is not None else {}))
        maybe_applied = False  # whether a try of this write may have been applied, told on a final failure
        tries = 0
        while True:
            tries += 1
            outcome = self._try_once(method, url, shown, params, data, headers)
            maybe_applied = maybe_applied or outcome.applied
            if tries > self.retries or not outcome.may_repeat(repeatable):
                break
            outcome.close()
            self._sleep(outcome.delay(tries - 1))
        if outcome.failure is not None:
            raise UbidotsError("%s %s: %s, %s." % (method, shown, outcome.failure.failure, tries_text(tries)),
                               method=method, path=shown, maybe_applied=maybe_applied)
        return self._decode(outcome.response, method, shown, tries, maybe_applied)

    def _try_once(self, method, url, shown, params, data, headers):
        self.limiter.wait()
        self.calls["reads" if method == "GET" else "writes"] += 1
        try:
            return Outcome(method != "GET", response=self._http.send(method, url, shown, params, data, headers))
        except TryFailed as failure:
            return Outcome(method != "GET", failure=failure)
        finally:
            self.limiter.done()

    def _decode(self, response, method, path, tries, maybe_applied):
        status = response.status_code
        write = method != "GET"
        if write and 200 <= status < 300 and not response.content:
            return None
        try:
            payload = response.json()
        except ValueError:
            payload = None
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            if 200 <= status < 300:
                raise UbidotsError("%s %s: HTTP %d with a body that is not valid JSON (%s, %d bytes, %s); "
                                   "the answer was cut or the URL is not the Ubidots API."
                                   % (method, path, status, kind, len(response.content), tries_text(tries)),
                                   status=status, method=method, path=path, maybe_applied=write) from None
        if 200 <= status < 300:
            return payload
        kind = response.headers.get("Content-Type", "no content type").split(";")[0]
        redact = self._http.redact
        raise UbidotsError(answer_message("%s %s" % (method, path), status, payload, kind, tries, redact),
                           status=status, code=payload.get("code") if isinstance(payload, dict) else None,
                           detail=self._redact_value(payload.get("detail")) if isinstance(payload, dict) else None,
                           method=method, path=path, maybe_applied=maybe_applied)

    def _redact_value(self, value):
        """A copy of an answer's detail without the token (the engine formats it into messages)."""
        if isinstance(value, str):
            return self._http.redact(value)
        if isinstance(value, dict):
            return {self._http.redact(str(key)): self._redact_value(inner) for key, inner in value.items()}
        if isinstance(value, list):
            return [self._redact_value(inner) for inner in value]
        return value

    # -- reads ---------------------------------------------------------------------------

    def get(self, path, key, params=None):
        """GET one object: GET <path><key>/ (key: an id, or ~username / ~label)."""
        return self.request("GET", API_PREFIX + path + quote(key, safe="~") + "/", params=params)

    def list(self, path, params=None, page_size=LIST_PAGE_SIZE, key="id"):
        """Yield every object of a listing, following the envelope's `next` links."""
        for page in self.pages(path, params, page_size, key):
            yield from page["results"]

    def pages(self, path, params=None, page_size=LIST_PAGE_SIZE, key="id"):
        """Yield every page of a listing ({count, next, previous, results}), following `next` links.

        `page_size` is what is asked for; the server may return fewer per page (its own maximum).
        Every object must hold `key` (its identity: the id, or the label of a role, which has no id).
        """
        where = "GET " + API_PREFIX + path
        query = dict(params or {})
        query.setdefault("page_size", page_size)
        page = self.request("GET", API_PREFIX + path, params=query)
        seen = set()
        while True:
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise UbidotsError("%s: the answer is not a paginated listing {count, next, previous, results}." % where,
                                   method="GET", path=API_PREFIX + path)
            for item in page["results"]:
                if not isinstance(item, dict) or key not in item:
                    raise UbidotsError("%s: the listing holds %s where an object with %s %s was expected." % (
                        where, "an object without " + key if isinstance(item, dict) else "a " + type(item).__name__,
                        "an" if key == "id" else "a", key),
                        method="GET", path=API_PREFIX + path)
            yield page
            if not page.get("next"):
                return
            next_url = self._next_url(page["next"])
            if next_url is None or next_url in seen:
                raise UbidotsError("%s: the listing's next link is %s." % (
                    where, "not a URL of the API (%s/)" % API_PREFIX if next_url is None else "a page already read (a loop)"),
                    method="GET", path=API_PREFIX + path)
            seen.add(next_url)
            page = self.request("GET", next_url)

    def _next_url(self, link):
        """The URL of a listing's next page: the link's path and query on api_url, whatever host it names.

        A listing must not send the token elsewhere, and a server behind a reverse proxy names its own
        host. Behind a proxy with a path prefix the link carries the prefix, or not when the server
        does not know it: both are read as a path under api_url.
        """
        if not isinstance(link, str):
            return None
        parts = urlsplit(link)
        path = parts.path
        if self._prefix and path.startswith(self._prefix + API_PREFIX + "/"):
            path = path[len(self._prefix):]
        if not path.startswith(API_PREFIX + "/"):
            return None
        return self.base_url + path + ("?" + parts.query if parts.query else "")

    @staticmethod
    def lookup_chunks(param, values, fields=None):
        """The value lists of the reads a lookup sends: as many values per read as keep the URL short."""
        values = list(values)
        fields_part = ",".join(fields) if fields else ""
        budget = MAX_QUERY_CHARS - len(param) - (len(quote(fields_part, safe="")) + 8 if fields_part else 0) - 40
        chunks, chunk, size = [], [], 0
        for value in values:
            # Each value costs its percent-encoded length plus the encoded comma that joins it (%2C).
            cost = len(quote(value, safe="")) + 3
            if chunk and size + cost > budget:
                chunks.append(chunk)
                chunk, size = [], 0
            chunk.append(value)
            size += cost
        if chunk:
            chunks.append(chunk)
        return chunks

    def lookup(self, path, param, values, fields=None):
        """Yield the objects whose `param` (e.g. id__in) is one of `values`, in chunks that keep URLs short."""
        for chunk in self.lookup_chunks(param, values, fields):
            params = {param: ",".join(chunk)}
            if fields:
                params["fields"] = ",".join(fields)
            yield from self.list(path, params, page_size=len(chunk))

    # -- writes --------------------------------------------------------------------------

    def create(self, path, body):
        """POST one new object and return it as the API answers it.

        Not repeated after a try that may have been applied: a second create would fail or duplicate.
        """
        answer = self.request("POST", API_PREFIX + path, body=body, repeatable=False)
        if not isinstance(answer, dict):
            raise UbidotsError("POST %s%s: the answer is not an object." % (API_PREFIX, path),
                               method="POST", path=API_PREFIX + path, maybe_applied=True)
        return answer

    def delete(self, path, key):
        """DELETE one object (204 or 200). Done also when a retry finds it gone after a try that may have deleted it."""
        try:
            self.request("DELETE", API_PREFIX + path + quote(key, safe="~") + "/")
        except UbidotsError as exc:
            if not (exc.status == 404 and exc.maybe_applied):
                raise

    def post(self, path, body):
        """POST `body` to an action endpoint (assign_organizations, remove_organizations) and return the answer.

        Repeated like a bulk update: the body states absolute memberships.
        """
        return self.request("POST", API_PREFIX + path, body=body)

    def bulk(self, method, path, items):
        """Send one bulk request (bulk/create/, bulk/update/, bulk/delete/) and return the id of its asynchronous task.

        Updates (absolute values) and deletes are safe to repeat; a bulk create is not.
        """
        answer = self.request(method, API_PREFIX + path, body=items, headers=BULK_HEADERS,
                              repeatable="/bulk/create/" not in path)
        task = answer.get("task") if isinstance(answer, dict) else None
        if not isinstance(task, dict) or "id" not in task:
            raise UbidotsError("%s %s%s: the answer holds no task id." % (method, API_PREFIX, path),
                               method=method, path=API_PREFIX + path, maybe_applied=True)
        return str(task["id"])

    bulk_update = bulk
