# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client-side rate limiter: no more requests per second than the server counts as allowed."""

from __future__ import annotations

import collections
import time


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
