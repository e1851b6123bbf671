#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ubidots_orgs_bulk
short_description: Create, update and delete many Ubidots organizations with bulk requests that never wipe a field
version_added: 0.1.0
description:
  - Brings a list of Ubidots organizations to the wanted state, with one bulk request per batch for each action
    (C(POST /api/v2.0/organizations/_/bulk/create/), C(POST /api/v2.0/organizations/_/bulk/update/) and
    C(POST /api/v2.0/organizations/_/bulk/delete/)).
  - The bulk update is a full update. It "updates all Organization fields", so a field that is not sent
    goes back to its default. For each organization that differs, the module therefore sends its whole
    updatable state, the current object merged with your keys (V(label), V(name), V(description),
    V(properties), V(isActive), V(app), V(favicon), V(logo)), so that nothing you did not mention is reset.
    A key the listing does not return is read from the organization itself, and left out of the write if it is
    still missing (never sent as a default).
  - Every item is first checked against a JSON Schema derived from the Ubidots documentation;
    if any item is invalid, the module fails with every error at once and writes nothing.
  - Only the listed organizations are read (by lookups, or by one listing of the account when that costs fewer
    requests; the whole account with O(prune=true)). Requests go in this order,
    creates, updates, deletes, so that an earlier failure never leaves a deletion done. With nothing to change
    the module sends no write and reports C(changed=false).
extends_documentation_fragment:
  - ubidots.industrial.connection
  - ubidots.industrial.connection.ACTION_GROUP
  - ubidots.industrial.bulk
options:
  organizations:
    description:
      - The organizations, each a dict in the API's own field names.
      - V(id) names an existing organization; an V(id) that is not found is an error. An item without V(id) is
        found by V(label), which then cannot change; with O(state=present), a label that does not exist is created
        with the keys the item gives (the API names it after its label unless V(name) is given).
      - "Keys: V(id), V(label) (ASCII letters, digits, dash and underscore), V(name), V(description),
        V(favicon) and V(logo) (an image URL, or V(null) for none), V(properties) (a dict), V(isActive)
        (boolean), V(app) (app id or label, or V(null) for none). Other keys are refused."
      - The documented rules apply to every value that is sent. A value that equals the current one is not sent,
        so it is never refused (accounts hold values older than the rules, such as a null description), and a label
        that only finds an organization is never refused for its format.
      - Every V(app) that would be sent is looked up first; an unknown one fails the task before any write, in
        check mode too.
      - Only the keys you give are compared. V(properties) is compared deeply, as JSON (key order does not count,
        V(true) is not V(1); see O(purge_properties)); V(app) matches the current app by id or label.
      - V(favicon) and V(logo) are compared with the URL of the current image (the C(raw) entry the API
        returns for it). An image uploaded another way compares equal only when you give that same URL.
        An organization that is sent for another change keeps its images, sent back as their current URL.
      - An empty list sends no request and reports C(changed=false) (unless O(prune=true)).
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
  - Two tasks in a row see each other's changes, because each waits (O(wait)) until its changes show before it
    ends. What no module can guarantee is a change made by someone else between this module's read and its
    write; the full update then sends back what was read, and their change to the other fields is lost.
seealso:
  - module: ubidots.industrial.ubidots_users_bulk
  - module: ubidots.industrial.ubidots_orgs_info
  - name: Bulk Update Organizations (Ubidots API reference)
    description: The update endpoint this module calls.
    link: https://docs.ubidots.com/reference/bulk-update-organizations
author:
  - Ubidots Industrial collection maintainers (@ubidots)
"""

EXAMPLES = r"""
# The modules call the API from the controller: run them once per play (run_once, delegate_to: localhost),
# or in a play on localhost. api_token comes from the UBIDOTS_TOKEN environment variable here.
- name: Bring organizations to the wanted state (other fields are kept; a new label is created)
  ubidots.industrial.ubidots_orgs_bulk:
    organizations:
      - id: 6027087b65a24d1987654321
        description: Organization One
        properties:
          color: "#BADA55"
      - label: plant-north            # found by label; created if it does not exist
        name: Plant North
        app: field-service             # app id or label
        isActive: true
  run_once: true
  delegate_to: localhost

- name: Delete organizations
  ubidots.industrial.ubidots_orgs_bulk:
    organizations:
      - label: plant-closed
    state: absent
  run_once: true
  delegate_to: localhost

- name: Plan the repository as the whole truth (prune), in check mode first
  ubidots.industrial.ubidots_orgs_bulk:
    organizations: "{{ ubidots_organizations }}"
    purge_properties: true
    prune: true
    max_deletions: 3
  check_mode: true
  diff: true
  register: plan
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
created:
  description:
    - Labels of the organizations created (planned, in check mode).
    - When a request failed, the organizations created before it.
  returned: success, and when a request failed
  type: list
  elements: str
  sample: [plant-north]
changed_ids:
  description: Ids of the existing organizations that differed (and were updated, unless in check mode).
  returned: success
  type: list
  elements: str
  sample: [6027087b65a24d1987654321]
deleted_ids:
  description: Ids of the organizations deleted (planned, in check mode), by O(state=absent) or O(prune=true).
  returned: success
  type: list
  elements: str
deactivated:
  description:
    - Ids of the organizations deactivated (planned, in check mode) with O(removal=deactivate), by O(state=absent) or
      O(prune=true); an organization already inactive is not among them. Empty with O(removal=delete).
  returned: success
  type: list
  elements: str
  version_added: 0.2.0
unchanged_ids:
  description: Ids of the listed organizations that already had the wanted values.
  returned: success
  type: list
  elements: str
changes:
  description:
    - One entry per created, updated, deactivated or deleted organization, in the order they are sent, with the changed keys
      before and after (V("") for nothing). C(id) is null for an organization not created yet.
    - At most O(changes_limit) entries; RV(changes_omitted) counts the others.
  returned: success
  type: list
  elements: dict
  sample:
    - action: update
      id: 6027087b65a24d1987654321
      label: org1
      before: {description: ""}
      after: {description: Organization One}
protected:
  description:
    - The organizations that O(prune=true) kept because O(protected) names them, each with its C(id) and C(label)
      (planned, in check mode). A warning names them too.
  returned: success
  type: list
  elements: dict
  sample: [{id: 409dba9c67d3bb19f554, label: headquarters}]
counts:
  description: How many organizations the run creates, updates, deactivates, deletes and leaves unchanged (always complete).
  returned: success
  type: dict
  sample: {created: 1, updated: 2, deleted: 0, deactivated: 0, unchanged: 37}
changes_omitted:
  description:
    - How many changed organizations RV(changes) and the diff leave out, past O(changes_limit) (0 when none is left out).
  returned: success
  type: int
  sample: 0
tasks:
  description:
    - Ids of the asynchronous tasks the API answered with, one per bulk request, in the order sent.
    - Empty in check mode and when nothing changed.
  returned: success, and when a request or the wait failed
  type: list
  elements: str
  sample: [4974ac3a88301c016192]
api_calls:
  description: How many HTTP requests the module sent, retries included.
  returned: always
  type: dict
  sample: {reads: 1, writes: 1}
errors:
  description: Every validation, lookup or reference error (the first 1,000 of them), when the module failed before writing.
  returned: failure
  type: list
  elements: str
  sample: ["organizations[0] (id 6027087b65a24d1987654321): isActive: must be boolean, got string"]
accepted_ids:
  description:
    - When a bulk request failed, the organizations the requests before it created, updated or deleted (ids, or
      C(new <label>) for one created by a bulk create because its answer is a task, which gives no ids).
    - Each organization of the run is in exactly one of RV(accepted_ids), RV(failed_ids) and RV(unsent_ids), and
      the message counts and names them the same way.
  returned: failure
  type: list
  elements: str
  sample: ["6027087b65a24d1987654321"]
failed_ids:
  description:
    - When a bulk request failed, the organizations it held (ids, or C(new <label>) for one not created yet).
    - If the server received it but gave no usable answer (a timeout, a dropped connection, HTTP 500), the message
      says that it may have been applied, and the task reports C(changed=true).
  returned: failure
  type: list
  elements: str
  sample: ["6027087b65a24d19acbd0987"]
unsent_ids:
  description: When a bulk request failed, the other organizations of the later requests, which were not sent.
  returned: failure
  type: list
  elements: str
  sample: ["5fc8e4b7a1c2d3e4f5a6b703"]
would_delete:
  description: When the run would delete more organizations than O(max_deletions) allows, how many; nothing was written.
  returned: failure
  type: int
  sample: 25
would_deactivate:
  description: With O(removal=deactivate), when the run would deactivate more organizations than O(max_deletions) allows, how many; nothing was written.
  returned: failure
  type: int
  sample: 25
  version_added: 0.2.0
pending_ids:
  description:
    - When O(wait=true) and the changes did not show within O(wait_timeout), the organizations read back (the
      last of each request) that did not (ids, or C(new <name>) for one created by the task).
    - The changes were accepted; the task reports C(changed=true).
  returned: failure
  type: list
  elements: str
  sample: ["6027087b65a24d1987654321"]
status:
  description: The HTTP status of the answer that made the task fail, when one came.
  returned: failure
  type: int
  sample: 400
"""

from ansible_collections.ubidots.industrial.plugins.module_utils._bulk import bulk_argument_spec, run_bulk
from ansible_collections.ubidots.industrial.plugins.module_utils._common import UbidotsModule
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import ORGANIZATIONS


def main():
    module = UbidotsModule(argument_spec=bulk_argument_spec(ORGANIZATIONS), supports_check_mode=True)
    module.run(run_bulk, ORGANIZATIONS)


if __name__ == "__main__":
    main()
