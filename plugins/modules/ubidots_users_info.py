#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ubidots_users_info
short_description: Read Ubidots users in the shape ubidots_users_bulk takes
version_added: 0.1.0
description:
  - Reads all users of the account, or those selected by ids, usernames or API filters, page by page,
    within the client-side rate limit.
  - Returns each user in exactly the item shape M(ubidots.industrial.ubidots_users_bulk) accepts, so that
    feeding the result back into that module changes nothing. Passwords cannot be read and are never returned.
extends_documentation_fragment:
  - ubidots.industrial.connection
  - ubidots.industrial.connection.ACTION_GROUP
  - ubidots.industrial.info
options:
  usernames:
    description:
      - Read only the users with these usernames. Usernames that do not exist are returned in RV(missing_usernames).
    type: list
    elements: str
  memberships:
    description:
      - Also read each user's memberships (C(fields=organizations), a larger read) and return them as
        V(organizations), a list of C({label, role}) sorted by label, the shape
        M(ubidots.industrial.ubidots_users_bulk) takes, so that the round trip stays a no-op.
    type: bool
    default: false
    version_added: 0.2.0
  inactive_for_days:
    description:
      - Also return RV(inactive_users), the users read that are active (C(isActive) true) and whose C(lastLogin) is
        older than this many days, or null (never logged in), and RV(accounts), every user read in the same shape.
      - Measured in UTC from the time of the read (RV(read_at)); RV(inactive_before) is the cutoff. A last login
        exactly that many days ago is not older.
      - "Costs no extra request. The API documents no date comparison on C(lastLogin), and older-or-never would
        be two filters, so the module filters the users it reads. Add O(filters) C({isActive: true}) to read
        fewer pages on an account with many deactivated users."
    type: int
    version_added: 0.2.0
  page:
    description:
      - Read only this page of the listing (500 users asked for per page; the server may answer fewer), and return
        RV(page), RV(pages) and RV(total), so that a play can read a large account one task per page and show
        its progress (the C(ubidots.industrial.access_review) playbook does).
      - Not with O(ids) or O(usernames).
    type: int
    version_added: 0.2.0
seealso:
  - module: ubidots.industrial.ubidots_users_bulk
author:
  - Ubidots Industrial collection maintainers (@ubidots)
"""

EXAMPLES = r"""
- name: Read every active user
  ubidots.industrial.ubidots_users_info:
    filters:
      isActive: true
  register: active

- name: Feed them back unchanged (a no-op)
  ubidots.industrial.ubidots_users_bulk:
    users: "{{ active.users }}"

- name: Read users with their memberships (organization and role)
  ubidots.industrial.ubidots_users_info:
    memberships: true
  register: with_memberships

- name: List the active users who have not logged in for 90 days, or never
  ubidots.industrial.ubidots_users_info:
    inactive_for_days: 90
  register: unused

- name: Name them
  ansible.builtin.debug:
    msg: "{{ unused.inactive_users | map(attribute='username') | list }}"

- name: Read two users by username
  ubidots.industrial.ubidots_users_info:
    usernames: [alice, bob]
  register: some
"""

RETURN = r"""
users:
  description: The users, in the item shape of M(ubidots.industrial.ubidots_users_bulk) (no password).
  returned: success
  type: list
  elements: dict
  sample:
    - id: 409dba9c67d3bb19f554
      username: alice
      email: alice@example.com
      firstName: Alice
      lastName: Liddell
      defaultOrganization: 6027087b65a24d1987654321
      defaultRole: editor
      tags: [engineering]
      isActive: true
      contactMethods: [{type: email, values: [alice@example.com], properties: {}}]
      organizations: [{label: plant-north, role: editor}]   # with memberships=true
count:
  description: Number of users returned.
  returned: success
  type: int
missing_ids:
  description: Requested ids that do not exist.
  returned: success
  type: list
  elements: str
missing_usernames:
  description: Requested usernames that do not exist.
  returned: success
  type: list
  elements: str
inactive_users:
  description:
    - With O(inactive_for_days), the active users read whose last login is before RV(inactive_before), or who never
      logged in, sorted as read, with their memberships (organization label and role, sorted by label).
  returned: when O(inactive_for_days) is given
  type: list
  elements: dict
  sample:
    - id: 445da83878abc3c75756
      username: bob
      email: bob@example.com
      isActive: true
      lastLogin: null
      organizations: [{label: org2, role: viewer}]
accounts:
  description: With O(inactive_for_days), every user read, in the shape of RV(inactive_users).
  returned: when O(inactive_for_days) is given
  type: list
  elements: dict
read_at:
  description: With O(inactive_for_days), the time inactivity is measured from (ISO 8601, UTC).
  returned: when O(inactive_for_days) is given
  type: str
  sample: "2026-12-04T21:50:00Z"
inactive_before:
  description: With O(inactive_for_days), RV(read_at) minus that many days (ISO 8601, UTC).
  returned: when O(inactive_for_days) is given
  type: str
  sample: "2026-09-05T21:50:00Z"
page:
  description: With O(page), the page read.
  returned: when O(page) is given
  type: int
pages:
  description: With O(page), how many pages the listing has (from its count and the size of the page answered).
  returned: when O(page) is given
  type: int
total:
  description: With O(page), how many users the whole listing holds (the API's C(count)).
  returned: when O(page) is given
  type: int
api_calls:
  description: How many HTTP requests the module sent, retries included.
  returned: always
  type: dict
  sample: {reads: 1, writes: 0}
"""

from ansible_collections.ubidots.industrial.plugins.module_utils._common import UbidotsModule
from ansible_collections.ubidots.industrial.plugins.module_utils._info import info_argument_spec, run_info
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import USERS


def main():
    spec = info_argument_spec("usernames", memberships=dict(type="bool", default=False),
                              inactive_for_days=dict(type="int"), page=dict(type="int"))
    module = UbidotsModule(argument_spec=spec, supports_check_mode=True,
                           mutually_exclusive=[("filters", "ids"), ("filters", "usernames"), ("page", "ids"),
                                               ("page", "usernames")])
    module.run(run_info, USERS, "usernames")


if __name__ == "__main__":
    main()
