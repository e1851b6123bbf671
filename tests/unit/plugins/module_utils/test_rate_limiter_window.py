# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rate limiter keeps every window the server can see at `rate` requests, whatever the latency."""

from __future__ import annotations

import pytest

from ansible_collections.ubidots.industrial.plugins.module_utils._client import RateLimiter


@pytest.mark.parametrize("rate", [4, 2.5, 0.5])
def test_arrivals_never_exceed_the_rate(rate):
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    limiter = RateLimiter(rate, clock=lambda: now[0], sleep=sleep)
    starts, finishes = [], []
    for i in range(40):
        limiter.wait()
        starts.append(now[0])
        now[0] += (0.0, 0.01, 0.3, 0.05)[i % 4]  # the request takes a while
        limiter.done()
        finishes.append(now[0])
    count = max(1, int(rate))
    window = count / rate
    for k in range(len(starts) - count):
        # Request k arrived by finishes[k]; request k+count arrived after starts[k+count].
        assert starts[k + count] >= finishes[k] + window - 1e-9
    for k in range(len(starts) - 1):
        assert starts[k + 1] - starts[k] >= 1.0 / rate - 1e-9


def test_no_limit_never_sleeps():
    limiter = RateLimiter(0, clock=lambda: 0.0, sleep=lambda s: pytest.fail("slept"))
    for _attempt in range(10):
        limiter.wait()
        limiter.done()
