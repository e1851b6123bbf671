# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The retry decision: which tries may be repeated, how long to wait, and which may have been applied."""

from __future__ import annotations

import email.utils
import random
import time

# Answers worth another try. 500 is one too: bursts of it are common behind load balancers.
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
# Answers to a write after which the server may have applied it (a gateway gave up waiting, or the
# application failed half way); 429 and 503 mean the request was refused before any work.
MAYBE_APPLIED_STATUSES = frozenset((500, 502, 504))


def backoff_delay(attempt, retry_after=None, base=0.5, cap=30.0, rand=random.random):
    """Seconds to wait before try number `attempt` + 1 (attempt counts from 0).

    Retry-After (seconds) from the server wins when given; otherwise exponential backoff with full jitter.
    """
    if retry_after is not None:
        return min(max(retry_after, 0.0), 120.0)
    return min(cap, base * (2 ** attempt)) * (0.5 + rand() / 2)


def parse_retry_after(value, now=time.time):
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


def _cut_json(response):
    """Whether an answer claims to be JSON but does not decode (cut on the way)."""
    if "json" not in response.headers.get("Content-Type", ""):
        return False
    try:
        response.json()
    except ValueError:
        return True
    return False


class Outcome:
    """What one try gave: an answer (`response`) or none (`failure`, a TryFailed).

    `applied`: this try of a write may have been applied although it failed (it reached the server
    and broke, or the server failed half way). `transient`: another try may succeed.
    """

    def __init__(self, write, response=None, failure=None):
        self.response = response
        self.failure = failure
        if failure is not None:
            self.applied = write and failure.sent
            self.transient = True
        else:
            status = response.status_code
            self.applied = write and status in MAYBE_APPLIED_STATUSES
            # A read whose JSON answer was cut on the way is safe to ask again.
            self.transient = status in RETRY_STATUSES or (not write and 200 <= status < 300 and _cut_json(response))

    def may_repeat(self, repeatable):
        """Whether to try again: the failure is transient, and repeating cannot apply a write twice.

        A repeatable request (a read, or a write of absolute values) may always be repeated; any other
        write only when this try surely was not applied (429, 503, or no connection made).
        """
        return self.transient and (repeatable or not self.applied)

    def delay(self, attempt):
        """Seconds to wait before the next try, honouring the server's Retry-After."""
        if self.response is None:
            return backoff_delay(attempt)
        return backoff_delay(attempt, parse_retry_after(self.response.headers.get("Retry-After")))

    def close(self):
        """Release the answer's connection (before another try)."""
        if self.response is not None:
            self.response.close()
