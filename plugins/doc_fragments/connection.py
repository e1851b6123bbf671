# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by every ubidots.industrial module: connection and attributes."""

from __future__ import annotations


class ModuleDocFragment:
    """Connection options, written once for every module."""

    DOCUMENTATION = r"""
options:
  api_token:
    description:
      - Ubidots API token (an account token, or a token of a user with administration rights).
      - Sent only in the C(X-Auth-Token) header. The Ubidots API also accepts C(?token=) in the URL,
        but query strings end up in proxy and server logs, so this collection never uses it.
      - Surrounding whitespace is stripped (a vault or file value often ends with a newline). A token with a line
        break, another control character or a non-ASCII character inside it is refused before any request,
        with a message that shows no part of it.
      - If not set, the value of the E(UBIDOTS_TOKEN) environment variable is used.
    type: str
    required: true
    aliases: [token]
  api_url:
    description:
      - Base URL of the Ubidots API, without the C(/api/v2.0) part. It may carry a path prefix, as behind a
        reverse proxy (C(https://proxy.example/ubidots)).
      - The token is sent only to this origin and path. A redirect is followed only within it (with the same
        method); a redirect anywhere else fails.
      - If not set, the value of the E(UBIDOTS_API_URL) environment variable is used, and then the default.
    type: str
    default: https://industrial.api.ubidots.com
  validate_certs:
    description:
      - Whether to verify the TLS certificate of O(api_url).
      - Only set this to V(false) against a test server with a self-signed certificate.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for the API to connect and for each answer to arrive. Must be 1 or more.
    type: int
    default: 30
  rate_limit:
    description:
      - Highest number of requests per second this task sends with its token.
      - The default follows the limit the Ubidots help center states (4 requests per second per token),
        so that large runs do not get answered with HTTP 429 in the first place.
      - The limit applies to one task; tasks that run in parallel with the same token share the
        server's limit, and the retries below then absorb the HTTP 429 answers.
      - V(0) turns the client-side limit off.
    type: float
    default: 4
  retries:
    description:
      - How many times a request is tried again after HTTP 429, 500, 502, 503, 504 or a connection error,
        with exponential backoff and jitter, honouring the C(Retry-After) header of the answer.
      - A create is tried again only when it cannot have been applied (HTTP 429 or 503, or a connection
        that was never made), so that it never creates an object twice.
      - V(0) sends every request once.
    type: int
    default: 5
requirements:
  - python >= 3.9
  - requests
  - jsonschema >= 4.0
notes:
  - "The modules talk to the Ubidots API from the controller. Run them with C(hosts: localhost),
    or with C(run_once: true) and C(delegate_to: localhost), so that a play over many hosts
    calls the API once."
"""

    ACTION_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/ubidots.industrial.ubidots) in C(module_defaults) to set the connection options once for every module of this collection.
    support: full
    membership:
      - ubidots.industrial.ubidots
"""
