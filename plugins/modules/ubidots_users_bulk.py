#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ubidots_users_bulk
short_description: Update many Ubidots users in one validated, idempotent bulk request
version_added: 0.1.0
description:
  - Brings a list of existing Ubidots users to the wanted state with the bulk endpoint
    C(PATCH /api/v2.0/users/_/bulk/update/).
  - Every item is first checked against a JSON Schema derived from the Ubidots documentation;
    if any item is invalid, the module fails with every error at once and sends no request at all.
  - The module then reads the listed users (only them, and only the keys given), compares, and sends
    the users that differ as their id and the changed keys, in one request when they fit in O(batch_size).
    With nothing to change it sends no write and reports C(changed=false).
  - The API answers with the id of an asynchronous task; see O(wait).
  - This module updates users; it does not create or delete them.
extends_documentation_fragment:
  - ubidots.industrial.connection
  - ubidots.industrial.connection.ACTION_GROUP
  - ubidots.industrial.bulk
options:
  users:
    description:
      - The users to update, each a dict in the API's own field names.
      - V(id) names the user. An item without V(id) is found by V(username), which then cannot change.
      - "Keys: V(id), V(username), V(password), V(firstName), V(lastName), V(email), V(defaultOrganization)
        (organization id or label), V(defaultRole) (role label), V(defaultDashboard) (dashboard id or label),
        V(language), V(website), V(timezone), V(decimalPlaces) (integer), V(numberFormat), V(isActive)
        (boolean), V(tags) (at most 20, each at most 50 characters), V(contactMethods) (list of
        C({type: email|voice|telegram|sms, values: [str], properties: {}})). Other keys are refused."
      - V(username) may hold only ASCII letters, digits, dash and underscore. The Ubidots page says
        "alphanumeric characters, dash or hyphen"; the second word is read as the underscore. Its own
        example V(User 1) breaks the rule and is refused here before anything is sent.
      - The Ubidots page marks V(username), V(password) and V(email) required; that holds for creating
        a user. For this update only the identity (V(id) or V(username)) is required.
      - Only the keys you give are compared. V(tags) are compared as a set; V(defaultOrganization) and
        V(defaultDashboard) match the user's current one by id or label, V(defaultRole) by label;
        V(contactMethods) are compared without their server-side ids, in any order.
      - An empty list sends no request and reports C(changed=false).
    type: list
    elements: dict
    required: true
  update_password:
    description:
      - Passwords cannot be read back, so a given password cannot be compared.
      - V(always) sends every given password, and so reports the user as changed on every run.
      - V(never) sends no password, and warns for each item that holds one.
    type: str
    choices: [always, never]
    default: always
notes:
  - Passwords and the token are registered as secrets at run time, so that no result, diff, warning,
    error or C(-vvv) output shows them; diffs show a password as C(********).
seealso:
  - name: Bulk Update Users (Ubidots API reference)
    description: The endpoint this module calls.
    link: https://docs.ubidots.com/reference/bulk-update-users
author:
  - Ubidots Industrial collection maintainers (@ubidots)
"""

EXAMPLES = r"""
- name: Manage Ubidots users from the controller, once per play
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/ubidots.industrial.ubidots:
      api_url: https://industrial.api.ubidots.com
      # api_token comes from the UBIDOTS_TOKEN environment variable
  tasks:
    - name: Bring users to the wanted state
      ubidots.industrial.ubidots_users_bulk:
        users:
          - id: 409dba9c67d3bb19f554
            firstName: Ada
            lastName: Lovelace
            tags: [engineering, admins]
            defaultRole: editor
          - username: grace-hopper          # found by username, which then cannot change
            isActive: true
            defaultOrganization: plant-north  # organization id or label
            contactMethods:
              - type: email
                values: [grace@example.com]

- name: Preview, then apply (run the play with --check --diff first)
  ubidots.industrial.ubidots_users_bulk:
    api_token: "{{ vault_ubidots_token }}"
    users: "{{ ubidots_users }}"
    update_password: never
  register: result

- name: Reset passwords and wait until every change is visible
  ubidots.industrial.ubidots_users_bulk:
    users:
      - username: contractor-01
        password: "{{ vault_contractor_password }}"
        isActive: false
    wait: true
    wait_timeout: 60
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
changed_ids:
  description: Ids of the users that differed (and were sent, unless in check mode).
  returned: success
  type: list
  elements: str
  sample: [409dba9c67d3bb19f554]
unchanged_ids:
  description: Ids of the listed users that already had the wanted values.
  returned: success
  type: list
  elements: str
  sample: [445da83878abc3c75756]
changes:
  description: For each changed user, the changed keys before and after; passwords masked.
  returned: success
  type: list
  elements: dict
  sample:
    - id: 409dba9c67d3bb19f554
      username: ada
      before: {firstName: Ada, tags: [engineering]}
      after: {firstName: Augusta, tags: [admins, engineering]}
tasks:
  description:
    - Ids of the asynchronous tasks the API answered with, one per bulk request, in batch order.
    - Empty in check mode and when nothing changed.
  returned: always
  type: list
  elements: str
  sample: [tyg54645501a9ca5714e7b098721]
api_calls:
  description: How many HTTP requests the module sent, retries included.
  returned: always
  type: dict
  sample: {reads: 1, writes: 1}
errors:
  description: Every validation or lookup error (the first 1,000 of them), when the module failed before writing.
  returned: failure
  type: list
  elements: str
  sample: ["users[3] (id 409dba9c67d3bb19f554): tags: 21 items, at most 20"]
accepted_ids:
  description: When a bulk request failed, the ids sent in the requests accepted before it.
  returned: failure
  type: list
  elements: str
failed_ids:
  description:
    - When a bulk request failed, the ids that request held.
    - If the server received it but gave no usable answer (a timeout, a dropped connection, HTTP 500), the message
      says that it may have been applied, and the task reports C(changed=true).
  returned: failure
  type: list
  elements: str
unsent_ids:
  description: When a bulk request failed, the ids of the later requests, which were not sent.
  returned: failure
  type: list
  elements: str
"""

from ansible_collections.ubidots.industrial.plugins.module_utils._bulk import BulkEngine, bulk_argument_spec
from ansible_collections.ubidots.industrial.plugins.module_utils._common import UbidotsModule
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import USERS


def main():
    argument_spec = dict(
        users=dict(type="list", elements="dict", required=True),
        update_password=dict(type="str", choices=["always", "never"], default="always", no_log=False),
    )
    argument_spec.update(bulk_argument_spec())
    module = UbidotsModule(argument_spec=argument_spec, supports_check_mode=True)
    BulkEngine(module, USERS, module.params["users"],
               options={"update_password": module.params["update_password"]}).run()


if __name__ == "__main__":
    main()
