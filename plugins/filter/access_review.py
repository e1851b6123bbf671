# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The access review's CSV and Markdown, from what the info modules return (built in module_utils/_access_review)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: access_review
short_description: The CSV and the Markdown summary of an access review of a Ubidots account
version_added: 0.2.0
description:
  - What the C(ubidots.industrial.access_review) playbook writes. Returns C({csv, markdown}).
  - The CSV has one row per user and organization (a user without any gets one row with an empty organization),
    columns C(username), C(email), C(isActive), C(lastLogin), C(organization), C(role), sorted by username and
    organization, quoted by Python's csv module.
  - The Markdown counts the users, the active and inactive ones, those who never logged in and the unused active
    ones, names the administrators (role C(admin)) of each organization and lists the unused active accounts.
options:
  _input:
    description: The C(accounts) of M(ubidots.industrial.ubidots_users_info) run with C(inactive_for_days).
    type: list
    elements: dict
    required: true
  organizations:
    description: The C(organizations) of M(ubidots.industrial.ubidots_orgs_info).
    type: list
    elements: dict
    required: true
  read_at:
    description: The time unused accounts are measured from, ISO 8601 (the C(read_at) of the users read).
    type: str
    required: true
  days:
    description: An active account whose last login is older than this many days, or null, is unused.
    type: int
    required: true
author:
  - Ubidots Industrial collection maintainers (@ubidots)
"""

EXAMPLES = r"""
- name: Write the CSV
  ansible.builtin.copy:
    dest: /tmp/access-review.csv
    content: "{{ (users.accounts | ubidots.industrial.access_review(orgs.organizations, users.read_at, 90)).csv }}"
    mode: "0600"
"""

RETURN = r"""
_value:
  description: "C({csv: ..., markdown: ...}): the two files' text."
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.ubidots.industrial.plugins.module_utils._access_review import review_csv, review_markdown
from ansible_collections.ubidots.industrial.plugins.module_utils._info import parse_time


def access_review(accounts, organizations, read_at, days):
    """{csv, markdown} of the review."""
    try:
        now = parse_time(read_at)
        if now is None:
            raise ValueError("read_at is empty")
        days = int(days)
        return {"csv": review_csv(accounts), "markdown": review_markdown(accounts, organizations, now, days)}
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("access_review: %s" % exc) from exc


class FilterModule:
    """ubidots.industrial filters."""

    def filters(self):
        """Filter names."""
        return {"access_review": access_review}
