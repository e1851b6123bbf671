# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Merge desired Ubidots objects from a list variable and a directory of YAML files into one list."""

from __future__ import annotations

DOCUMENTATION = r"""
name: desired_state
short_description: Merge desired Ubidots objects from a variable and YAML files, refusing duplicates
version_added: 0.1.0
description:
  - Merges the objects of a list variable, then the objects of each YAML file, in that order,
    into the one list that M(ubidots.industrial.ubidots_users_bulk) or M(ubidots.industrial.ubidots_orgs_bulk) takes.
  - A file holds one object (a dict), a list of objects, or a dict with one key named after the kind
    (C(users:) or C(organizations:)) holding a list.
  - With O(hosts), also merges the list and the directory of each host of a play, so that every host's
    desired state goes into one bulk call. A list that several hosts hold alike (from group or play variables)
    counts once, and so does a file that several directories reach.
  - The same identity (V(id), or V(username) / V(label)) twice fails, naming both places (host, or file, and item).
    An identity that is not a string is left to the module's validation, which names its type.
options:
  _input:
    description: Paths of the YAML files (for example the C(files) of M(ansible.builtin.find)); read in sorted order.
    type: list
    elements: path
    required: true
  kind:
    description: V(users) or V(organizations).
    type: str
    required: true
  inline:
    description: Objects given in a variable, placed before those of the files.
    type: list
    elements: dict
    default: []
  inline_name:
    description: How messages name the variable (with O(hosts), the list variable of each host).
    type: str
    default: the list variable
  hosts:
    description:
      - The desired state of each host of a play, by host name. Each value is a dict with C(list), the host's objects,
        and C(dir), a directory of YAML files (either may be empty).
      - The directory is read recursively (C(*.yml) and C(*.yaml), hidden files and directories skipped); one that
        does not exist fails.
      - A host whose value is not a dict (V(null) or V(false), as it did not gather its state) fails, naming it.
    type: dict
    version_added: 0.2.0
  dir_name:
    description: How messages name the directory variable of each host of O(hosts).
    type: str
    default: the directory variable
    version_added: 0.2.0
author:
  - Ubidots Industrial collection maintainers (@ubidots)
"""

EXAMPLES = r"""
- name: Merge ubidots_users and the files under users/
  ansible.builtin.set_fact:
    desired: "{{ found.files | map(attribute='path') | ubidots.industrial.desired_state('users', inline=ubidots_users) }}"

- name: Merge the lists and directories of two sites
  ansible.builtin.set_fact:
    desired: >-
      {{ [] | ubidots.industrial.desired_state('organizations', inline_name='ubidots_organizations',
              hosts={'plant-north': {'list': [{'label': 'north'}]}, 'plant-south': {'dir': 'state/south'}}) }}
"""

RETURN = r"""
_value:
  description: The merged list of objects.
  type: list
  elements: dict
"""

import os

from ansible.errors import AnsibleFilterError
from ansible_collections.ubidots.industrial.plugins.module_utils._identity import duplicates
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import RESOURCES

try:
    import yaml
except ImportError:  # pragma: no cover - ansible-core always ships with PyYAML
    yaml = None

# A message names at most this many duplicates, then says how many more there are.
MAX_DUPLICATES_SHOWN = 10


def _objects(content, kind, where):
    if content is None:
        return []
    if isinstance(content, dict) and set(content) == {kind}:
        content = content[kind]
    if isinstance(content, dict):
        return [content]
    if isinstance(content, list) and all(isinstance(item, dict) for item in content):
        return content
    raise AnsibleFilterError("%s: expected a %s object, a list of them, or {%s: [...]}" % (where, RESOURCES[kind].noun, kind))


def _read(path, kind):
    try:
        with open(path, encoding="utf-8") as handle:
            content = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise AnsibleFilterError("%s: cannot read it as YAML: %s" % (path, " ".join(str(exc).split()))) from None
    return _objects(content, kind, path)


def _yaml_files(directory, where):
    """The *.yml and *.yaml files under `directory`, recursively, sorted; hidden files and directories are skipped."""
    if not isinstance(directory, str) or not os.path.isdir(directory):
        raise AnsibleFilterError("%s: %s is not a directory" % (where, directory))
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        found += [os.path.join(root, name) for name in files
                  if name.endswith((".yml", ".yaml")) and not name.startswith(".")]
    return sorted(found)


def check_gathered(hosts, kind):
    """Fail naming the hosts whose value is not a dict (they did not note their desired state)."""
    missing = [host for host, source in hosts.items() if not isinstance(source, dict)]
    if missing:
        raise AnsibleFilterError("the desired %s of %s were not gathered (a play with serial, or hosts that skipped the role):"
                                 " the role applies every host of the play at once" % (kind, ", ".join(missing)))


def _host_sources(hosts, kind, list_name, dir_name):
    """(name, objects) of each host's list and of each file of its directory.

    A list several hosts hold alike (group or play variables) counts once, as does a file several directories reach.
    """
    check_gathered(hosts, kind)
    lists, files = [], {}
    for host, source in hosts.items():
        objects = source.get("list") or []
        if objects:
            holders = next((holders for value, holders in lists if value == objects), None)
            if holders is None:
                lists.append((objects, [host]))
            else:
                holders.append(host)
        if source.get("dir"):
            for path in _yaml_files(source["dir"], "%s of %s" % (dir_name, host)):
                files.setdefault(os.path.realpath(path), path)
    sources = [("%s of %s" % (list_name, ", ".join(holders)), _objects(value, kind, "%s of %s" % (list_name, holders[0])))
               for value, holders in lists]
    return sources + [(path, _read(path, kind)) for path in sorted(files.values())]


def _merge(kind, sources):
    """(merged objects, the place of each); fails on duplicate identities, naming both places."""
    merged = [item for _where, objects in sources for item in objects]
    places = ["%s (item %d)" % (where, position + 1) for where, objects in sources for position in range(len(objects))]
    found = duplicates(RESOURCES[kind], merged)
    if found:
        lines = ["%s %s %s is defined twice: in %s and in %s" % (RESOURCES[kind].noun, key, value, places[first], places[index])
                 for index, first, key, value in found[:MAX_DUPLICATES_SHOWN]]
        more = len(found) - MAX_DUPLICATES_SHOWN
        raise AnsibleFilterError("; ".join(lines) + ("; and %d more" % more if more > 0 else ""))
    return merged, places


def merge_hosts(hosts, kind, list_name, dir_name):
    """The merged objects of these hosts ({host: {list, dir}}) and where each comes from, as desired_state merges them."""
    return _merge(kind, _host_sources(dict(hosts), kind, list_name, dir_name))


def desired_state(paths, kind, inline=None, inline_name="the list variable", hosts=None, dir_name="the directory variable"):
    """The merged list; fails on unreadable files and on duplicate identities, naming both places."""
    if kind not in RESOURCES:
        raise AnsibleFilterError("desired_state: kind must be users or organizations, got %r" % (kind,))
    sources = [(inline_name, _objects(list(inline or []), kind, inline_name))]
    if hosts:
        sources += _host_sources(dict(hosts), kind, inline_name, dir_name)
    sources += [(path, _read(path, kind)) for path in sorted(str(p) for p in paths or [])]
    return _merge(kind, sources)[0]


class FilterModule:
    """ubidots.industrial filters."""

    def filters(self):
        """Filter names."""
        return {"desired_state": desired_state}
