# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Group the desired state of the hosts of a play into one bulk call per account and state (the roles' plan)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: bulk_calls
short_description: Group the desired state of the hosts of a play into one bulk call per account and state
version_added: 0.2.0
description:
  - What the roles C(ubidots.industrial.users) and C(ubidots.industrial.organizations) do before any request. Each host
    of the play notes its list, its directory and its role variables; this filter groups the hosts by account
    (C(ubidots_api_url) and C(ubidots_api_token)) and C(ubidots_state), merges the desired state of each group as
    P(ubidots.industrial.desired_state#filter) does, and checks what would apply one host's options to another's objects.
  - Hosts of one group that disagree on another role variable, a user or organization listed as present by one group
    and as absent by another of one account, C(ubidots_prune) on a group with C(ubidots_state=absent), C(ubidots_prune)
    where two groups reach one URL with different tokens (or one of them the default, which may be the same account),
    C(ubidots_prune) after hosts of the play failed, and C(ubidots_prune) while hosts outside the play declare desired
    state (C(--limit)) are all refused.
  - A mistake in the data is not raised but returned in RV(_value.error), a message that names variables, hosts and
    accounts (by their URL), never a token. The role keeps the calls, which hold tokens and passwords, in a C(no_log) fact
    and shows the message in a task of its own.
options:
  _input:
    description:
      - The desired state of each host of the play, by host name, in the order of the play. Each value is a dict with
        C(list) and C(dir), as the O(ubidots.industrial.desired_state#filter:hosts) of P(ubidots.industrial.desired_state#filter).
      - A host whose value is not a dict (it did not note its desired state) is refused, naming it.
    type: dict
    required: true
  kind:
    description: V(users) or V(organizations).
    type: str
    required: true
  options:
    description:
      - The role variables of each host of O(_input), by host name, each a dict by variable name (C(ubidots_state),
        C(ubidots_api_url), C(ubidots_api_token), C(ubidots_prune), C(ubidots_max_deletions), ...).
      - C(ubidots_api_url), C(ubidots_api_token) and C(ubidots_state) make the groups; every other variable must be
        the same on every host of a group. C(ubidots_fail_on_drift) is the role's; the others are the module's options
        without their C(ubidots_) prefix.
    type: dict
    required: true
  failed:
    description: Hosts of the play that failed before the role; with C(ubidots_prune) their objects would be deleted.
    type: list
    elements: str
    default: []
  outside:
    description:
      - Inventory hosts outside the play, by name, each with C([list, dir]), the desired state it declares (its
        C(ubidots_users) and C(ubidots_users_dir), or the organizations ones).
      - With C(ubidots_prune), a host whose list or directory no host of a pruning call holds is refused, naming it.
    type: dict
    default: {}
  limit:
    description: The C(--limit) of the run (C(ansible_limit)), named in the refusal.
    type: str
    default: ""
author:
  - Ubidots Industrial collection maintainers (@ubidots)
"""

EXAMPLES = r"""
- name: Plan the calls (the roles keep the result in a no_log fact)
  ansible.builtin.set_fact:
    plan: >-
      {{ {'plant-north': {'list': [{'username': 'alice'}], 'dir': ''}, 'leavers': {'list': [{'username': 'carol'}], 'dir': ''}}
         | ubidots.industrial.bulk_calls('users', options={'plant-north': {'ubidots_state': 'present'},
                                                           'leavers': {'ubidots_state': 'absent'}}) }}
  no_log: true
"""

RETURN = r"""
_value:
  description: The calls, or why there are none.
  type: dict
  contains:
    calls:
      description:
        - One call per account and state, the present ones first (the order of the module's own writes, creates and
          updates before deletes), each in the order of its first host.
        - Each has C(api_url), C(api_token) (empty for the default), C(state), C(hosts),
          C(options) (the module's options by name, such as C(prune) and C(max_deletions)), C(fail_on_drift),
          C(label) (the account's URL, the state and the hosts, for messages, never the token) and C(about) (C(api_url),
          C(state) and C(hosts), which the roles add to the call's result).
        - Empty when RV(_value.error) is not.
      type: list
      elements: dict
    desired:
      description:
        - The merged objects of each call, in the order of RV(_value.calls).
        - Apart from the calls, so that a task can read the options of a call without the objects (ansible-core before
          2.19 templates a whole variable each time a task reads a part of it).
      type: list
      elements: list
    error:
      description: Why nothing may be written, naming the variables and hosts; empty when the calls may run.
      type: str
"""

import json
from itertools import combinations
from urllib.parse import urlsplit, urlunsplit

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.ubidots.industrial.plugins.filter.desired_state import check_gathered, merge_hosts
from ansible_collections.ubidots.industrial.plugins.module_utils._identity import identities
from ansible_collections.ubidots.industrial.plugins.module_utils._messages import some
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import RESOURCES

ACCOUNT = ("ubidots_api_url", "ubidots_api_token")
STATE = "ubidots_state"
ROLE_ONLY = ("ubidots_fail_on_drift",)  # a role variable that is no module option
BOOLEANS = ("ubidots_prune", "ubidots_wait", "ubidots_fail_on_drift", "ubidots_allow_empty_prune",
            "ubidots_purge_organizations", "ubidots_purge_properties")
INTEGERS = ("ubidots_max_deletions", "ubidots_batch_size", "ubidots_wait_timeout")
HOSTS_SHOWN = 5  # in a call's label
SHOWN = 10  # conflicts and hosts left out, in a message


def account(url):
    """How messages name an account: its URL (without any user or password in it), never its token."""
    if not url:
        return "the UBIDOTS_API_URL default"
    parts = urlsplit(url)
    if not parts.hostname:
        return url
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def _url_key(url):
    """The URL as the client reaches it: scheme and host without case, the default port left out, no final slash,
    so that https://Industrial.api.ubidots.com:443/ and https://industrial.api.ubidots.com are one account."""
    parts = urlsplit(url.strip())
    if not parts.hostname:
        return url.strip().rstrip("/")
    try:
        port = parts.port
    except ValueError:
        return url.strip().rstrip("/")
    scheme = parts.scheme.lower()
    netloc = parts.hostname + ("" if port in (None, {"https": 443, "http": 80}.get(scheme)) else ":%d" % port)
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), parts.query, ""))


def _shown(value):
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _normal(name, value):
    """A role variable as the module takes it, so that 10 and "10" (an INI inventory) agree."""
    try:
        if name in BOOLEANS:
            return boolean(value, strict=True)
        if name in INTEGERS:
            return int(value)
    except (TypeError, ValueError):
        return value  # the role's argument spec refuses it
    if name in ACCOUNT or name == STATE:
        return "" if value is None else str(value).strip()
    if name == "ubidots_protected" and isinstance(value, (list, tuple)):
        return sorted({str(entry) for entry in value})  # a set: the order and repetitions do not count
    return value


def _groups(options_of):
    """[((url, token, state), [(host, options)])]: the present groups first, each in the order of its first host."""
    groups = {}
    for host, given in options_of.items():
        options = {name: _normal(name, value) for name, value in given.items()}
        key = (_url_key(options.get("ubidots_api_url", "")), options.get("ubidots_api_token", ""),
               options.get(STATE) or "present")
        groups.setdefault(key, []).append((host, options))
    return sorted(groups.items(), key=lambda group: group[0][2] != "present")


# What guards deletions holds for the whole account: a host with ubidots_state: absent that protects less, allows
# more deletions, or deletes where the hosts that list the account's objects deactivate, is refused like any other
# disagreement.
ACCOUNT_WIDE = ("ubidots_protected", "ubidots_max_deletions", "ubidots_removal")


def _disagreements(members, where, names=None):
    """One sentence per variable (of `names`, default all) that the hosts of one group set differently."""
    found = []
    for name in names or members[0][1]:
        if name in ACCOUNT or name == STATE:
            continue
        values = []  # (value, [hosts]) in the order of the hosts
        for host, options in members:
            holders = next((hosts for value, hosts in values if value == options.get(name)), None)
            if holders is None:
                values.append((options.get(name), [host]))
            else:
                holders.append(host)
        if len(values) > 1:
            found.append("%s differs between hosts of one account (%s): %s." % (
                name, where, "; ".join("%s on %s" % (_shown(value), ", ".join(hosts)) for value, hosts in values)))
    return found


def _between(first, second):
    """How a message names the account(s) of two calls."""
    if first["key"][:2] == second["key"][:2]:
        return account(first["key"][0])
    if first["key"][0] == second["key"][0]:
        return "%s with different tokens, which may be one account" % account(first["key"][0])
    return "%s and %s, which may be one account" % (account(first["key"][0]), account(second["key"][0]))


def _side(hosts):
    return hosts[0] if len(hosts) == 1 else "(%s)" % ", ".join(hosts)


def _conflicts(spec, present, absent):
    """The objects that `present` keeps and `absent` deletes, one sentence each."""
    kept = {}
    for item, place in zip(present["desired"], present["places"]):
        for pair in identities(spec, item):
            kept.setdefault(pair, place)
    found = []
    for item, place in zip(absent["desired"], absent["places"]):
        pair = next((pair for pair in identities(spec, item) if pair in kept), None)
        if pair:
            found.append("%s %s %s is listed with ubidots_state present (on %s: in %s) and absent (on %s: in %s)" % (
                spec.noun, pair[0], pair[1], ", ".join(present["hosts"]), kept[pair], ", ".join(absent["hosts"]), place))
    if not found:
        return []
    more = len(found) - SHOWN
    return ["%s%s, for %s: list each %s on one side only (a host with ubidots_state: absent also gets the lists and"
            " directories of its groups: set them to [] and \"\" on it)." % (
                "; ".join(found[:SHOWN]), "; and %d more" % more if more > 0 else "", _between(present, absent), spec.noun)]


def _pair_problems(spec, kind, plans):
    """What two calls that may reach one account would do to each other."""
    found = []
    for first, second in combinations(plans, 2):
        url, other = first["key"][0], second["key"][0]
        if url and other and url != other:
            continue  # two URLs: two accounts
        states = (first["key"][2], second["key"][2])
        if states == ("present", "present") and (first["options"].get("prune") or second["options"].get("prune")):
            found.append("%s and %s reach %s: ubidots_prune on one would delete the %s the other lists. Give the hosts"
                         " of one account the same ubidots_api_url and ubidots_api_token, apply each account from its"
                         " own inventory, or run without ubidots_prune." % (
                             _side(first["hosts"]), _side(second["hosts"]), _between(first, second), kind))
        elif states == ("present", "absent"):
            found += _conflicts(spec, first, second)
    return found


UNRESOLVED = "(unresolved)"


def _resolved(value, defined):
    """A host's list or directory as read outside the play: None when it defines none, UNRESOLVED when it defines
    one that cannot be read there (a template of play variables: ansible-core 2.19 gives the marker, older ones the
    template itself)."""
    if not defined:
        return None
    if value == UNRESOLVED or (isinstance(value, str) and "{{" in value) or (isinstance(value, list) and "{{" in json.dumps(value)):
        return UNRESOLVED
    return value


def _left_out(sources, pruning, outside, kind):
    """The hosts outside the play that declare desired state no host of a pruning call holds (or that cannot be read).

    `outside` maps a host to [its list, its directory, the names of the two that it defines]; without the names,
    both count as defined.
    """
    found = []
    names = ("ubidots_" + kind, "ubidots_%s_dir" % kind)
    for host, declared in outside.items():
        declared = list(declared or []) + [None, None, None]
        defined = declared[2] if isinstance(declared[2], list) else names
        declared_list, declared_dir = (_resolved(declared[position], names[position] in defined) for position in (0, 1))
        if UNRESOLVED in (declared_list, declared_dir):
            found.append(host)
            continue
        for call in pruning:
            lists = [sources[name].get("list") or [] for name in call["hosts"]]
            dirs = [sources[name].get("dir") or "" for name in call["hosts"]]
            if (declared_list and declared_list not in lists) or (declared_dir and declared_dir not in dirs):
                found.append(host)
                break
    return found


def bulk_calls(sources, kind, options=None, failed=None, outside=None, limit=""):
    """{calls, desired, error}: one call per account and state, or why nothing may be written."""
    if kind not in RESOURCES:
        raise AnsibleFilterError("bulk_calls: kind must be users or organizations, got %r" % (kind,))
    spec, sources, options = RESOURCES[kind], dict(sources or {}), dict(options or {})
    plans, problems = [], []
    try:
        check_gathered(sources, kind)
        check_gathered({host: options.get(host) for host in sources}, kind)
        for key, members in _groups({host: options[host] for host in sources}):
            hosts = [host for host, _options in members]
            desired, places = merge_hosts({host: sources[host] for host in hosts}, kind,
                                          "ubidots_" + kind, "ubidots_%s_dir" % kind)
            first = members[0][1]
            plans.append({
                "key": key, "places": places, "api_url": first.get("ubidots_api_url", ""), "api_token": key[1],
                "state": key[2], "hosts": hosts, "desired": desired, "fail_on_drift": bool(first.get("ubidots_fail_on_drift")),
                "options": {name[len("ubidots_"):]: value for name, value in first.items()
                            if name not in ACCOUNT + (STATE,) + ROLE_ONLY},
                "label": "%s, state %s, hosts %s" % (account(key[0]), key[2], some(hosts, HOSTS_SHOWN)),
                "about": {"api_url": account(key[0]) if key[0] else "", "state": key[2], "hosts": hosts},
            })
            problems += _disagreements(members, "%s, state %s" % (account(key[0]), key[2]))
    except AnsibleFilterError as exc:
        return {"calls": [], "desired": [], "error": str(exc)}
    accounts = {}
    for key, members in _groups({host: options[host] for host in sources}):
        accounts.setdefault(key[:2], []).append(members)
    wide = []
    for key, groups in accounts.items():
        if len(groups) > 1:
            wide += _disagreements([member for members in groups for member in members],
                                   "%s, states present and absent" % account(key[0]), ACCOUNT_WIDE)
    if problems or wide:
        problems += wide + ["Give every host of one account and state the same value (in the variables of a group)%s." % (
            "; ubidots_protected, ubidots_max_deletions and ubidots_removal hold for every state of the account"
            if wide else "")]
    for plan in plans:
        if plan["state"] == "absent" and plan["options"].get("prune"):
            problems.append("ubidots_prune is true on %s, whose ubidots_state is absent: prune deletes what is not listed,"
                            " so it works only with state present. Set ubidots_prune: false there." % ", ".join(plan["hosts"]))
    problems += _pair_problems(spec, kind, plans)
    pruning = [plan for plan in plans if plan["state"] == "present" and plan["options"].get("prune")]
    if pruning and failed:
        problems.append("ubidots_prune would delete the %s of hosts that failed earlier in the play (%s): fix them and run"
                        " again." % (kind, ", ".join(failed)))
    left_out = _left_out(sources, pruning, dict(outside or {}), kind) if pruning else []
    if left_out:
        problems.append("ubidots_prune would delete the %s that hosts outside this play declare (%s)%s, or without"
                        " ubidots_prune." % (kind, some(left_out, SHOWN), (
                            ", as the play runs with --limit %s: run it without --limit (or with one that takes in every"
                            " host that declares %s)" % (limit, kind)) if limit else (
                            ": run it on every host that declares %s (the group that holds them, or all)" % kind)))
    if problems:
        return {"calls": [], "desired": [], "error": " ".join(problems)}
    return {"calls": [{name: value for name, value in plan.items() if name not in ("key", "places", "desired")} for plan in plans],
            "desired": [plan["desired"] for plan in plans], "error": ""}


class FilterModule:
    """ubidots.industrial filters."""

    def filters(self):
        """Filter names."""
        return {"bulk_calls": bulk_calls}
