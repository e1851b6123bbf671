# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base module class: shared connection options, library checks and the API client."""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.ubidots.industrial.plugins.module_utils._client import (
    DEFAULT_API_URL,
    UbidotsClient,
)
from ansible_collections.ubidots.industrial.plugins.module_utils._compare import SECRET_KEYS

try:
    import requests  # noqa: F401, pylint: disable=unused-import
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

try:
    import jsonschema  # noqa: F401, pylint: disable=unused-import
    JSONSCHEMA_IMPORT_ERROR = None
except ImportError:
    JSONSCHEMA_IMPORT_ERROR = traceback.format_exc()


def ubidots_argument_spec():
    """The connection options every module takes (documented in the connection doc fragment)."""
    return dict(
        api_token=dict(type="str", required=True, no_log=True, aliases=["token"],
                       fallback=(env_fallback, ["UBIDOTS_TOKEN"])),
        api_url=dict(type="str", default=DEFAULT_API_URL, fallback=(env_fallback, ["UBIDOTS_API_URL"])),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
        rate_limit=dict(type="float", default=4),
        retries=dict(type="int", default=5),
    )


class UbidotsModule(AnsibleModule):
    """AnsibleModule with the connection options, the library checks and a client factory."""

    def __init__(self, argument_spec, **kwargs):
        spec = ubidots_argument_spec()
        spec.update(argument_spec)
        super().__init__(argument_spec=spec, **kwargs)
        if REQUESTS_IMPORT_ERROR:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        if JSONSCHEMA_IMPORT_ERROR:
            self.fail_json(msg=missing_required_lib("jsonschema"), exception=JSONSCHEMA_IMPORT_ERROR)
        if not (self.params["api_token"] or "").strip():
            self.fail_json(msg="api_token is empty: set api_token (or token), or the UBIDOTS_TOKEN environment variable.")
        for name in ("timeout", "retries"):
            if self.params[name] < 0:
                self.fail_json(msg="%s must be 0 or more, got %s." % (name, self.params[name]))
        if self.params["rate_limit"] < 0:
            self.fail_json(msg="rate_limit must be 0 (off) or more, got %s." % self.params["rate_limit"])

    def hide(self, value):
        """Register a secret found inside nested data so that no output can show it.

        Also a secret of the wrong type (a number, or strings inside a list or dict): it is still
        the user's secret, and the error about its type must not print it.
        """
        if isinstance(value, str):
            if value:
                self.no_log_values.add(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            self.no_log_values.add(str(value))
        elif isinstance(value, dict):
            for inner in value.values():
                self.hide(inner)
        elif isinstance(value, (list, tuple)):
            for inner in value:
                self.hide(inner)

    def _hide_nested_secrets(self, value, depth=0):
        """Hide the values of secret keys (password) anywhere in the parameters."""
        if depth > 50:
            return
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in SECRET_KEYS:
                    self.hide(inner)
                else:
                    self._hide_nested_secrets(inner, depth + 1)
        elif isinstance(value, (list, tuple)):
            for inner in value:
                self._hide_nested_secrets(inner, depth + 1)

    def fail_json(self, msg, **kwargs):  # pylint: disable=arguments-differ
        # AnsibleModule fails from its constructor when an argument is invalid (an item that is not a
        # dict), before the engine has registered the passwords; the invocation it returns then holds
        # them. Registering them here covers every way out.
        self._hide_nested_secrets(getattr(self, "params", None))
        super().fail_json(msg, **kwargs)

    def exit_json(self, **kwargs):
        self._hide_nested_secrets(getattr(self, "params", None))
        super().exit_json(**kwargs)

    def client(self):
        """The API client for this run (one requests.Session)."""
        params = self.params
        return UbidotsClient(
            api_url=params["api_url"],
            token=params["api_token"],
            timeout=params["timeout"] or None,
            validate_certs=params["validate_certs"],
            rate_limit=params["rate_limit"],
            retries=params["retries"],
            user_agent="ansible-collection-ubidots.industrial",
        )
