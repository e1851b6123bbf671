# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check a repository of desired state (the export layout) without any request: the validate playbook's engine."""

from __future__ import annotations

DOCUMENTATION = r"""
name: validate_state
short_description: Check a directory of desired Ubidots users and organizations without a token or any request
version_added: 0.2.0
description:
  - What C(ansible-playbook ubidots.industrial.validate -e state_dir=DIR) runs. Reads every C(*.yml) / C(*.yaml) file
    under C(DIR/users) and C(DIR/organizations) as the roles read them (hidden files and directories skipped) and
    returns every problem at once, each naming its file and item, without sending any request.
  - Every item is checked against the schema of its kind (the checks the bulk modules make before any request).
    A rule the account may already break with a value it holds (a username with a dot) is a warning - it fails a run
    only if that value is sent.
  - The same C(id), C(username) or C(label) twice (in one file or in two) is a problem naming both places.
  - When the repository holds organizations, a user's membership (C(organizations)) or C(defaultOrganization) that
    names an organization the repository does not hold is a problem, unless O(external_organizations) names it; so
    are one user's memberships that name one of its organizations twice (once by id, once by label).
  - Role variables (C(ubidots_*)) given in O(options) and in the role entries and play variables of O(playbook) are
    checked against the roles' argument specs - type and choices, and a name no role knows (a misspelt variable,
    which Ansible itself does not catch). A value that is a template is not checked.
options:
  _input:
    description: The directory in the export layout (C(users/) and C(organizations/) under it).
    type: path
    required: true
  external_organizations:
    description: Ids or labels of organizations that memberships may name although the repository does not hold them.
    type: list
    elements: str
    default: []
  options:
    description: Role variables to check, by name (the C(ubidots_*) variables the validate play sees).
    type: dict
    default: {}
  playbook:
    description: A playbook that applies the roles (for example C(apply.yml)); its role entries' variables are checked.
    type: path
author:
  - Ubidots Industrial collection maintainers (@ubidots)
"""

EXAMPLES = r"""
- name: Check the repository
  ansible.builtin.set_fact:
    found: "{{ 'state' | ubidots.industrial.validate_state(external_organizations=['headquarters']) }}"
"""

RETURN = r"""
_value:
  description: What was found.
  type: dict
  contains:
    problems:
      description: Every problem, each naming its file and item (or variable).
      type: list
      elements: str
    warnings:
      description: Values that fail a run only if they are sent.
      type: list
      elements: str
    counts:
      description: How many users and organizations the files hold, and how many files were read.
      type: dict
"""

import difflib
import os

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.ubidots.industrial.plugins.filter.desired_state import _read, _yaml_files
from ansible_collections.ubidots.industrial.plugins.module_utils._identity import duplicates
from ansible_collections.ubidots.industrial.plugins.module_utils._messages import item_label
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import RESOURCES
from ansible_collections.ubidots.industrial.plugins.module_utils._rules import _membership_key
from ansible_collections.ubidots.industrial.plugins.module_utils._validate import validator

try:
    import yaml
except ImportError:  # pragma: no cover - ansible-core always ships with PyYAML
    yaml = None

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = {"ubidots.industrial.users": "users", "ubidots.industrial.organizations": "organizations"}
# Variables the roles set themselves (their results): not options, not misspelt.
ROLE_OUTPUTS = frozenset("ubidots_%s_%s" % (kind, suffix) for kind in RESOURCES for suffix in ("result", "results"))


def _role_options():
    """{variable: its argument spec} of both roles, read from their meta/argument_specs.yml."""
    options = {}
    for kind in RESOURCES:
        path = os.path.join(COLLECTION_ROOT, "roles", kind, "meta", "argument_specs.yml")
        with open(path, encoding="utf-8") as handle:
            options.update(yaml.safe_load(handle)["argument_specs"]["main"]["options"])
    return options


def _shown(path):
    """A path as messages show it: relative to the directory ansible-playbook runs in when it lies under it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _read_items(state_dir, kind, problems):
    """[(place, item)] of every file under state_dir/kind, and how many files were read; unreadable files are problems."""
    directory = os.path.join(state_dir, kind)
    if not os.path.isdir(directory):
        return [], 0
    found, files = [], 0
    for path in _yaml_files(directory, kind):
        files += 1
        try:
            objects = _read(path, kind)
        except AnsibleFilterError as exc:
            problems.append(str(exc.message if hasattr(exc, "message") else exc))
            continue
        found += [("%s (item %d)" % (_shown(path), number + 1), item) for number, item in enumerate(objects)]
    return found, files


def _schema_problems(kind, placed, problems, warnings):
    spec = RESOURCES[kind]
    check = validator(spec)
    for place, item in placed:
        result = check.validate([item])
        deferred = {message for by_key in result.deferred.values() for messages in by_key.values() for message in messages}
        for message in result.errors:
            # The validator names the item users[0] (username x): the place says which file and item it is.
            text = place + message[len("%s[0]" % spec.option):]
            if message in deferred:
                warnings.append(text + " (fails a run only if this value is sent: a new %s, or a value the account does not hold)"
                                % spec.noun)
            else:
                problems.append(text)


def _duplicate_problems(kind, placed, problems):
    spec = RESOURCES[kind]
    items = [item for _place, item in placed]
    for index, first, key, value in duplicates(spec, items):
        problems.append("%s %s %s is defined twice: in %s and in %s" % (spec.noun, key, value, placed[first][0], placed[index][0]))


def _membership_problems(users, organizations, external, problems):
    """Memberships and default organizations that name an organization neither the repository nor `external` holds."""
    # Each id and label of the repository's organizations, to the organization it names (its position).
    which = {str(value): number for number, (_place, org) in enumerate(organizations) if isinstance(org, dict)
             for value in (org.get("id"), org.get("label")) if value}
    known = set(which) | {str(name) for name in external or []}
    hint = ("which the repository does not hold (add it under organizations/, or name it in -e external_organizations"
            " if it is managed elsewhere)")
    for place, user in users:
        if not isinstance(user, dict):
            continue
        name = item_label(RESOURCES["users"], 0, user)[len("users[0]"):]
        memberships = user.get("organizations")
        seen = {}
        for number, entry in enumerate(memberships if isinstance(memberships, list) else []):
            if not isinstance(entry, dict):
                continue
            named = [str(entry[key]) for key in ("id", "label") if entry.get(key)]
            if named and not any(value in known for value in named):
                problems.append("%s%s: organizations[%d] names organization %s, %s" % (place, name, number, " / ".join(named), hint))
            # One organization twice, once by id and once by label: the repository says they are the same one.
            # Twice by the same id or label is the schema check's "listed twice" (MembershipRule.problems, for a
            # string or a number), said once.
            organization = next((which[value] for value in named if value in which), None)
            key = _membership_key(entry)
            key = key if isinstance(key[1], (str, int)) else None
            if organization is not None and organization in seen and (key is None or key not in seen[organization][1]):
                problems.append("%s%s: organizations[%d] names the organization of organizations[%d] again (%s)"
                                % (place, name, number, seen[organization][0], " / ".join(named)))
            if organization is not None:
                seen.setdefault(organization, (number, set()))[1].add(key)
        default = user.get("defaultOrganization")
        if isinstance(default, str) and default and default not in known:
            problems.append("%s%s: defaultOrganization names organization %s, %s" % (place, name, default, hint))


def _playbook_options(playbook, problems):
    """[(where, {variable: value})] of the role entries (and play vars) of `playbook` that apply the collection's roles."""
    try:
        with open(playbook, encoding="utf-8") as handle:
            plays = yaml.safe_load(handle) or []
    except (OSError, yaml.YAMLError) as exc:
        problems.append("%s: cannot read it as YAML: %s" % (playbook, " ".join(str(exc).split())))
        return []
    found = []
    for number, play in enumerate(plays if isinstance(plays, list) else []):
        if not isinstance(play, dict):
            continue
        where = "%s (play %d)" % (playbook, number + 1)
        play_vars = play.get("vars") if isinstance(play.get("vars"), dict) else {}
        if any(key.startswith("ubidots_") for key in play_vars):
            found.append((where + " vars", {k: v for k, v in play_vars.items() if k.startswith("ubidots_")}))
        for entry in play.get("roles") or []:
            name = entry if isinstance(entry, str) else (entry.get("role") or entry.get("name")) if isinstance(entry, dict) else None
            if name not in ROLES or not isinstance(entry, dict):
                continue
            given = dict(entry.get("vars") or {})
            given.update((k, v) for k, v in entry.items() if k.startswith("ubidots_"))
            found.append(("%s role %s" % (where, name), given))
    return found


def _templated(value):
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, dict):
        return any(_templated(v) for v in value.values())
    if isinstance(value, list):
        return any(_templated(v) for v in value)
    return False


def _option_problems(where, given, specs, problems):
    known = {name: value for name, value in given.items() if name in specs and not _templated(value)}
    for name in sorted(set(given) - set(specs) - ROLE_OUTPUTS):
        close = difflib.get_close_matches(name, list(specs), n=1)
        problems.append("%s: %s is not a variable of the roles%s" % (where, name, " (did you mean %s?)" % close[0] if close else ""))
    if known:
        result = ArgumentSpecValidator({name: specs[name] for name in known}).validate(known)
        problems += ["%s: %s" % (where, message) for message in result.error_messages]


def validate_state(state_dir, external_organizations=None, options=None, playbook=None):
    """{problems, warnings, counts} of the repository at `state_dir`; no request is sent."""
    if not isinstance(state_dir, str) or not state_dir:
        raise AnsibleFilterError("validate_state: give the directory (-e state_dir=DIR)")
    problems, warnings = [], []
    placed, files = {}, 0
    if not os.path.isdir(state_dir):
        problems.append("%s is not a directory" % state_dir)
    else:
        for kind in RESOURCES:
            placed[kind], read = _read_items(state_dir, kind, problems)
            files += read
        if not any(os.path.isdir(os.path.join(state_dir, kind)) for kind in RESOURCES):
            problems.append("%s holds neither users/ nor organizations/ (the export layout)" % state_dir)
    for kind, items in placed.items():
        _schema_problems(kind, items, problems, warnings)
        _duplicate_problems(kind, items, problems)
    if placed.get("organizations"):
        _membership_problems(placed.get("users", []), placed["organizations"], external_organizations, problems)
    specs = _role_options()
    given = {name: value for name, value in (options or {}).items() if str(name).startswith("ubidots_")}
    if given:
        _option_problems("variables of the play", given, specs, problems)
    if playbook:
        for where, found in _playbook_options(playbook, problems):
            _option_problems(where, found, specs, problems)
    return {"problems": problems, "warnings": warnings,
            "counts": {"users": len(placed.get("users", [])), "organizations": len(placed.get("organizations", [])), "files": files}}


class FilterModule:
    """ubidots.industrial filters."""

    def filters(self):
        """Filter names."""
        return {"validate_state": validate_state}
