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
    spec = info_argument_spec("usernames", memberships=dict(type="bool", default=False))
    module = UbidotsModule(argument_spec=spec, supports_check_mode=True,
                           mutually_exclusive=[("filters", "ids"), ("filters", "usernames")])
    module.run(run_info, USERS, "usernames")


if __name__ == "__main__":
    main()
