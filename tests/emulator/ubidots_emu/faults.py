# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Injected faults and the redaction of the request log."""

from __future__ import annotations

import re

from .common import FAULT_KINDS, REDIRECT_STATUSES, password_digest


class Fault:
    """One injected fault, consumed `count` times by matching requests."""

    def __init__(self, path, kind, count=1, method=None, status=None, retry_after=None, delay=None, detail=None,
                 location=None):
        if kind not in FAULT_KINDS:
            raise ValueError("fault kind must be one of %s" % ", ".join(FAULT_KINDS))
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError("fault path must start with /")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("fault count must be a positive integer")
        self.path = path
        self.kind = kind
        self.count = count
        self.method = method.upper() if method else None
        self.status = int(status) if status is not None else {"html": 502, "redirect": 302}.get(kind, 503)
        if kind == "redirect":
            if self.status not in REDIRECT_STATUSES:
                raise ValueError("a redirect status must be one of %s" % ", ".join(map(str, REDIRECT_STATUSES)))
            if not isinstance(location, str) or not location:
                raise ValueError("a redirect needs location (an absolute URL or a path)")
        self.location = location
        self.retry_after = retry_after
        self.delay = float(delay) if delay is not None else 1.0
        self.detail = detail

    def matches(self, path, method):
        """Whether this fault applies to a request."""
        if self.method and self.method != method:
            return False
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path.rstrip("/") == self.path.rstrip("/")

    def as_dict(self):
        """A JSON-able description."""
        return {"path": self.path, "kind": self.kind, "count": self.count, "method": self.method, "status": self.status,
                "retry_after": self.retry_after, "delay": self.delay, "detail": self.detail, "location": self.location}


def redact_body(value, tokens):
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "password" and item is not None:
                out[key] = password_digest(item) if isinstance(item, str) else "***"
            else:
                out[key] = redact_body(item, tokens)
        return out
    if isinstance(value, list):
        return [redact_body(item, tokens) for item in value]
    if isinstance(value, str) and value in tokens:
        return "***"
    return value


RAW_PASSWORD_RE = re.compile(r'("password"\s*:\s*)"(?:[^"\\]|\\.)*"?')


def redact_text(text, tokens):
    text = RAW_PASSWORD_RE.sub(r'\1"***"', text)
    for token in tokens:
        if token and token in text:
            text = text.replace(token, "***")
    return text
