# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client's error type and the one-line messages it builds from an API answer."""

from __future__ import annotations

BULK_HEADER_MESSAGE = "X-BULK-OPERATION"


class UbidotsError(Exception):
    """An answer or a failure of the API, with a one-line message a user can act on.

    The message never holds the token or a request body. `maybe_applied` is true when a write may
    have been applied although it failed: the connection broke or timed out after the request was
    sent, the server failed half way (500/502/504), or it accepted the write (2xx) with an answer
    that cannot be read.
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


def one_line(text, limit=200):
    """`text` on one line, cut at `limit` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


def tries_text(tries):
    """ "1 try", "3 tries"."""
    return "%d tr%s" % (tries, "y" if tries == 1 else "ies")


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
    return "" if detail is None else one_line(detail)


def answer_message(where, status, payload, content_type, tries, redact):
    """The message for an error answer (status >= 300) to `where` ("GET /api/v2.0/users/")."""
    after = " after %s" % tries_text(tries) if tries > 1 else ""
    if not isinstance(payload, dict):
        return "%s: HTTP %d with a non-JSON answer (%s)%s; is api_url the Ubidots API?" % (where, status, content_type, after)
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
        return "%s: not found (404): %s" % (where, redact(format_detail(detail) or "no such object"))
    if status == 429:
        return "%s: still rate limited (429) after %s; lower rate_limit or raise retries." % (where, tries_text(tries))
    if isinstance(detail, str) and BULK_HEADER_MESSAGE in detail:
        return "%s: the API refused the bulk request: %s" % (where, redact(one_line(detail)))
    if code == 400001:
        return "%s: validation error (400001): %s" % (where, redact(format_detail(detail)))
    text = format_detail(detail) or format_detail(payload.get("message")) or "no detail"
    return "%s: HTTP %d%s: %s" % (where, status, after, redact(text))
