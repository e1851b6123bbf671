#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ubidots_orgs_bulk
short_description: Update many Ubidots organizations in one validated, idempotent bulk request that never wipes a field
version_added: 0.1.0
description:
  - Brings a list of existing Ubidots organizations to the wanted state with the bulk endpoint
    C(POST /api/v2.0/organizations/_/bulk/update/) (a POST, whatever the Ubidots page's wording says).
  - That endpoint is a full update. It "updates all Organization fields", so a field that is not sent
    goes back to its default. For each organization that differs, the module therefore sends its whole
    updatable state, the current object merged with your keys (V(label), V(name), V(description),
    V(properties), V(isActive), V(app), V(favicon), V(logo)), so that nothing you did not mention is reset.
  - Every item is first checked against a JSON Schema derived from the Ubidots documentation;
    if any item is invalid, the module fails with every error at once and sends no request at all.
  - Only the listed organizations are read. With nothing to change the module sends no write and reports
    C(changed=false).
  - This module updates organizations; it does not create or delete them.
extends_documentation_fragment:
  - ubidots.industrial.connection
  - ubidots.industrial.connection.ACTION_GROUP
  - ubidots.industrial.bulk
options:
  organizations:
    description:
      - The organizations to update, each a dict in the API's own field names.
      - V(id) names the organization. An item without V(id) is found by V(label), which then cannot change.
      - "Keys: V(id), V(label) (ASCII letters, digits, dash and underscore), V(name), V(description),
        V(favicon) and V(logo) (an image URL, or V(null) for none), V(properties) (a dict), V(isActive)
        (boolean), V(app) (app id or label, or V(null) for none). Other keys are refused."
      - Only the keys you give are compared. V(properties) is compared deeply (key order does not count;
        see O(purge_properties)); V(app) matches the current app by id or label.
      - V(favicon) and V(logo) are compared with the URL of the current image (the C(raw) entry the API
        returns for it). An image uploaded another way compares equal only when you give that same URL.
        An organization that is sent for another change keeps its images, sent back as their current URL.
      - An empty list sends no request and reports C(changed=false).
    type: list
    elements: dict
    required: true
  purge_properties:
    description:
      - V(false) merges the keys you give in V(properties) into the organization's existing properties
        (top-level keys; a given key replaces that key's whole value); keys you do not mention are kept.
      - V(true) makes V(properties) exactly what you give.
    type: bool
    default: false
notes:
  - Between the read and the write, the module holds the current state. If someone changes an organization
    in that window, the full update sends back what was read, and their change to the other fields is lost;
    run the task again, or run it when nobody edits organizations by hand.
seealso:
  - module: ubidots.industrial.ubidots_users_bulk
  - name: Bulk Update Organizations (Ubidots API reference)
    description: The endpoint this module calls.
    link: https://docs.ubidots.com/reference/bulk-update-organizations
author:
  - Ubidots Industrial collection maintainers (@ubidots)
"""

EXAMPLES = r"""
- name: Manage Ubidots organizations from the controller, once per play
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/ubidots.industrial.ubidots:
      api_url: https://industrial.api.ubidots.com
      # api_token comes from the UBIDOTS_TOKEN environment variable
  tasks:
    - name: Bring organizations to the wanted state (other fields are kept)
      ubidots.industrial.ubidots_orgs_bulk:
        organizations:
          - id: 6027087b65a24d1987654321
            description: Organization One
            properties:
              color: "#BADA55"
          - label: plant-north            # found by label, which then cannot change
            name: Plant North
            app: field-service             # app id or label
            isActive: true

- name: Make properties exactly what the repository holds
  ubidots.industrial.ubidots_orgs_bulk:
    organizations: "{{ ubidots_organizations }}"
    purge_properties: true
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
changed_ids:
  description: Ids of the organizations that differed (and were sent, unless in check mode).
  returned: success
  type: list
  elements: str
  sample: [6027087b65a24d1987654321]
unchanged_ids:
  description: Ids of the listed organizations that already had the wanted values.
  returned: success
  type: list
  elements: str
changes:
  description: For each changed organization, the changed keys before and after.
  returned: success
  type: list
  elements: dict
  sample:
    - id: 6027087b65a24d1987654321
      label: org1
      before: {description: ""}
      after: {description: Organization One}
tasks:
  description:
    - Ids of the asynchronous tasks the API answered with, one per bulk request, in batch order.
    - Empty in check mode and when nothing changed.
  returned: always
  type: list
  elements: str
  sample: [4974ac3a88301c016192]
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
  sample: ["organizations[0] (id 6027087b65a24d1987654321): isActive: must be boolean, got string"]
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
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import ORGANIZATIONS


def main():
    argument_spec = dict(
        organizations=dict(type="list", elements="dict", required=True),
        purge_properties=dict(type="bool", default=False),
    )
    argument_spec.update(bulk_argument_spec())
    module = UbidotsModule(argument_spec=argument_spec, supports_check_mode=True)
    BulkEngine(module, ORGANIZATIONS, module.params["organizations"],
               options={"purge_properties": module.params["purge_properties"]}).run()


if __name__ == "__main__":
    main()
