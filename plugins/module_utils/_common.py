# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module layer: connection options, library checks, secrets, the API client, and the one place
that turns a result or a failure into exit_json / fail_json (UbidotsModule.run)."""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.ubidots.industrial.plugins.module_utils._client import (
    DEFAULT_API_URL,
    UbidotsClient,
    UbidotsError,
)
from ansible_collections.ubidots.industrial.plugins.module_utils._gcpause import cyclic_gc_paused
from ansible_collections.ubidots.industrial.plugins.module_utils._messages import Failure, plural
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import SECRET_KEYS
from ansible_collections.ubidots.industrial.plugins.module_utils._validate import jsonschema_problem

try:
    import requests  # noqa: F401, pylint: disable=unused-import
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

HIDDEN = "NOT_LOGGING_PARAMETER"
# A list argument longer than this (or than the module's changes_limit, if lower) is counted, not repeated, in
# the result's `invocation` echo of the module arguments: repeating what the user wrote costs every large run
# the time to scrub, encode and decode it (measured in docs/performance.md).
ECHO_LIMIT = 100


# The lowest value of every number option of the modules (the argument spec has no minimum), checked in one place
# before any request: {option: (lowest, how the message says it, what the message adds when the value is 0)}.
OPTION_MINIMUMS = {
    "timeout": (1, "1 or more seconds", " (which would wait forever)"),
    "retries": (0, "0 or more", ""),
    "rate_limit": (0, "0 (off) or more", ""),
    "batch_size": (1, "1 or more", ""),
    "wait_timeout": (0, "0 or more", ""),
    "changes_limit": (0, "0 (no limit) or more", ""),
    "max_deletions": (0, "0 or more", ""),
    "inactive_for_days": (0, "0 or more", ""),
    "page": (1, "1 or more", ""),
}


def out_of_range(params):
    """A sentence for each option of `params` below its lowest value, or not a number at all (a YAML .nan), options
    not given (None) left alone."""
    problems = []
    for name, (lowest, words, at_zero) in OPTION_MINIMUMS.items():
        value = params.get(name)
        if value is not None and not value >= lowest:  # not "<": nan is neither below nor above
            problems.append("%s must be %s, got %s%s." % (name, words, value, at_zero if value == 0 else ""))
    return problems


def _name_the_token_variable(msg):
    """Ansible's "missing required arguments: api_token" names the option only; say where else the token can come from."""
    prefix = "missing required arguments: "
    if isinstance(msg, str) and msg.startswith(prefix) and "api_token" in [name.strip() for name in msg[len(prefix):].split(",")]:
        return msg + ". Set the api_token option (or token), or the UBIDOTS_TOKEN environment variable."
    return msg


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


def _without_secrets(value, depth=0):
    """A copy of `value` with the value of every secret key (password) replaced, at any depth."""
    if depth > 50:
        return HIDDEN
    if isinstance(value, dict):
        return {key: HIDDEN if key in SECRET_KEYS else _without_secrets(inner, depth + 1) for key, inner in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_secrets(inner, depth + 1) for inner in value]
    return value


class UbidotsModule(AnsibleModule):
    """AnsibleModule with the connection options, the library checks, secrets and a client factory."""

    def __init__(self, argument_spec, **kwargs):
        spec = ubidots_argument_spec()
        spec.update(argument_spec)
        self._client = None
        with cyclic_gc_paused():  # Ansible checks and copies every item of the lists (see _gcpause)
            super().__init__(argument_spec=spec, **kwargs)
            self._hide_nested_secrets(self.params)
        if REQUESTS_IMPORT_ERROR:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        problem = jsonschema_problem()  # without importing it: only invalid items need it
        if problem == "missing":
            self.fail_json(msg=missing_required_lib("jsonschema"))
        if problem:
            self.fail_json(msg=problem)
        if not (self.params["api_token"] or "").strip():
            self.fail_json(msg="api_token is empty: set api_token (or token), or the UBIDOTS_TOKEN environment variable.")
        problems = out_of_range(self.params)
        if problems:
            self.fail_json(msg=" ".join(problems))

    def _log_invocation(self):
        # Ansible logs the parameters to syslog / the journal before any module code runs, masking only
        # top-level no_log options; passwords nested in the item lists would be logged in clear (and
        # str() escapes them, so that no_log_values no longer match). Log a copy without them, and with
        # a long list counted as in the result's invocation echo (a log line is no place for 10,000 items).
        params = self.params
        self.params = {key: _without_secrets(value) for key, value in self._echoed_params().items()}
        try:
            super()._log_invocation()
        finally:
            self.params = params

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

    def _hide_nested_secrets(self, value):
        """Hide the values of secret keys (password) anywhere in the parameters, at any depth (a walk with a
        stack of its own: properties may nest deeper than any fixed limit)."""
        stack = [value]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                for key, inner in value.items():
                    if key in SECRET_KEYS:
                        self.hide(inner)
                    else:
                        stack.append(inner)
            elif isinstance(value, (list, tuple)):
                stack.extend(value)

    def fail_json(self, msg, **kwargs):  # pylint: disable=arguments-differ
        # AnsibleModule fails from its constructor when an argument is invalid (an item that is not a
        # dict), before the secrets are registered; the invocation it returns then holds them.
        self._hide_nested_secrets(getattr(self, "params", None))
        if getattr(self, "params", None) is not None:
            kwargs.setdefault("invocation", {"module_args": self._echoed_params()})
        super().fail_json(_name_the_token_variable(msg), **kwargs)

    def exit_json(self, **kwargs):
        # The secrets were hidden by __init__, which every exit_json follows.
        kwargs.setdefault("invocation", {"module_args": self._echoed_params()})
        super().exit_json(**kwargs)

    def _echoed_params(self):
        """The module arguments as the result echoes them (`invocation`, shown at -vvv and registered).

        A list longer than ECHO_LIMIT (or than changes_limit, if lower) is counted instead of repeated: a run
        over a whole account would otherwise return its input again, megabytes that Ansible scrubs, encodes
        and decodes. changes_limit 0 echoes everything.
        """
        limit = self.params.get("changes_limit", ECHO_LIMIT)
        if not isinstance(limit, int) or isinstance(limit, bool):
            limit = ECHO_LIMIT  # not checked yet: Ansible is failing on the arguments
        if limit <= 0:
            return self.params
        limit = min(limit, ECHO_LIMIT)
        return {key: "%s (a list of more than %s is not repeated in the result)" % (plural(len(value), "item"), plural(limit, "item"))
                if isinstance(value, list) and len(value) > limit else value for key, value in self.params.items()}

    def client(self):
        """The API client of this run (one requests.Session), made on first use."""
        if self._client is None:
            params = self.params
            self._client = UbidotsClient(
                api_url=params["api_url"],
                token=params["api_token"],
                timeout=params["timeout"],
                validate_certs=params["validate_certs"],
                rate_limit=params["rate_limit"],
                retries=params["retries"],
                user_agent="ansible-collection-ubidots.industrial",
            )
        return self._client

    @cyclic_gc_paused()
    def run(self, work, *args):
        """Call work(self, *args) and exit with the result it returns, or fail with the Failure or
        UbidotsError it raises: the one place where the collection's modules end. The cyclic garbage
        collector is paused meanwhile (see _gcpause), result encoding included."""
        try:
            result = work(self, *args)
        except Failure as exc:
            self.fail_json(msg=exc.msg, **dict(exc.result, api_calls=self._calls()))
        except UbidotsError as exc:
            self.fail_json(msg=exc.message, status=exc.status, api_calls=self._calls())
        finally:
            if self._client is not None:
                self._client.close()
        self.exit_json(**dict(result, api_calls=self._calls()))

    def _calls(self):
        return dict(self._client.calls) if self._client is not None else {"reads": 0, "writes": 0}
