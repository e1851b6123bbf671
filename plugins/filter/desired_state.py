# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Merge desired Ubidots objects from a list variable and a directory of YAML files into one list."""

from __future__ import annotations

DOCUMENTATION = r"""
name: desired_state
short_description: Merge desired Ubidots objects from a variable and YAML files, refusing duplicates
version_added: 0.1.0
description:
  - Reads each YAML file and merges its objects with the objects of a list variable, in that order,
    into the one list that M(ubidots.industrial.ubidots_users_bulk) or M(ubidots.industrial.ubidots_orgs_bulk) takes.
  - A file holds one object (a dict), a list of objects, or a dict with one key named after the kind
    (C(users:) or C(organizations:)) holding a list.
  - The same identity (V(id), or V(username) / V(label)) twice fails, naming both places.
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
    description: How messages name the variable.
    type: str
    default: the list variable
author:
  - Ubidots Industrial collection maintainers (@ubidots)
"""

EXAMPLES = r"""
- name: Merge ubidots_users and the files under users/
  ansible.builtin.set_fact:
    desired: "{{ found.files | map(attribute='path') | ubidots.industrial.desired_state('users', inline=ubidots_users) }}"
"""

RETURN = r"""
_value:
  description: The merged list of objects.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

try:
    import yaml
except ImportError:  # pragma: no cover - ansible-core always ships with PyYAML
    yaml = None

IDENTITY = {"users": "username", "organizations": "label"}


def _objects(content, kind, where):
    if content is None:
        return []
    if isinstance(content, dict) and set(content) == {kind}:
        content = content[kind]
    if isinstance(content, dict):
        return [content]
    if isinstance(content, list) and all(isinstance(item, dict) for item in content):
        return content
    raise AnsibleFilterError("%s: expected a %s object, a list of them, or {%s: [...]}" % (where, kind[:-1], kind))


def desired_state(paths, kind, inline=None, inline_name="the list variable"):
    """The merged list; fails on unreadable files and on duplicate identities, naming both places."""
    if kind not in IDENTITY:
        raise AnsibleFilterError("desired_state: kind must be users or organizations, got %r" % (kind,))
    sources = [(inline_name, _objects(list(inline or []), kind, inline_name))]
    for path in sorted(str(p) for p in paths or []):
        try:
            with open(path, encoding="utf-8") as handle:
                content = yaml.safe_load(handle)
        except (OSError, yaml.YAMLError) as exc:
            raise AnsibleFilterError("%s: cannot read it as YAML: %s" % (path, " ".join(str(exc).split()))) from None
        sources.append((path, _objects(content, kind, path)))
    merged, seen = [], {}
    for where, objects in sources:
        for position, item in enumerate(objects):
            here = "%s (item %d)" % (where, position + 1)
            for key in ("id", IDENTITY[kind]):
                value = item.get(key)
                if value is None:
                    continue
                if (key, value) in seen:
                    raise AnsibleFilterError("%s %s %s is defined twice: in %s and in %s"
                                             % (kind[:-1], key, value, seen[(key, value)], here))
                seen[(key, value)] = here
            merged.append(item)
    return merged


class FilterModule:
    """ubidots.industrial filters."""

    def filters(self):
        """Filter names."""
        return {"desired_state": desired_state}
