#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ubidots_users_bulk
short_description: Create, update and delete many Ubidots users, validated and idempotent, with bulk requests
version_added: 0.1.0
description:
  - Brings a list of Ubidots users to the wanted state.
  - Every item is first checked against a JSON Schema derived from the Ubidots documentation;
    if any item is invalid, the module fails with every error at once and writes nothing.
  - The module then reads the listed users (only them, and only the keys given; by lookups, or by one listing of the
    account when that costs fewer requests), plans what to create, update
    and delete, and sends it. Existing users that differ are updated with the bulk endpoint
    C(PATCH /api/v2.0/users/_/bulk/update/) (their id and the changed keys), in one request when they fit in
    O(batch_size). The API documents no bulk create or delete of users, so a new user is created with
    C(POST /api/v2.0/users/) and a leaver deleted with C(DELETE /api/v2.0/users/<id>), one request each,
    under the client's rate limit.
  - Requests go in this order (creates, updates, memberships, deletes), so that updates and memberships can name
    what was just created and an earlier failure never leaves a deletion done.
  - With nothing to change it sends no write and reports C(changed=false).
extends_documentation_fragment:
  - ubidots.industrial.connection
  - ubidots.industrial.connection.ACTION_GROUP
  - ubidots.industrial.bulk
options:
  users:
    description:
      - The users, each a dict in the API's own field names.
      - V(id) names an existing user. An item without V(id) is found by V(username), which then cannot change; with
        O(state=present), a username that does not exist is created.
      - A new user needs V(username), V(email) and V(password); an item that lacks one fails the task before any
        write, naming the item and the keys it lacks.
      - "Keys: V(id), V(username), V(password), V(firstName), V(lastName), V(email), V(defaultOrganization)
        (organization id or label), V(defaultRole) (role label), V(defaultDashboard) (dashboard id or label),
        V(language), V(website), V(timezone), V(decimalPlaces) (integer), V(numberFormat), V(isActive)
        (boolean), V(tags) (at most 20, each at most 50 characters), V(contactMethods) (list of
        C({type: email|voice|telegram|sms, values: [str], properties: {}})), V(organizations) (memberships, see
        below). Other keys are refused."
      - V(organizations) lists the user's memberships, each a dict with C(label) (the organization's label, or C(id)
        instead) and C(role) (the role's label); an organization may appear once per user (once by label and once by
        id fails too, before any write). They are compared as a set of (organization, role). A membership that is
        already held is not sent, so a role of V(null) that an export wrote for it is not refused.
        A missing membership, or one with another role, is assigned with one
        C(POST /api/v2.0/users/<id>/_/assign_organizations/) per user holding only that user's changed memberships;
        a membership you do not list is kept unless O(purge_organizations=true). Every organization and role is
        looked up first; an unknown one fails the task before any write. Memberships are read only when an item
        lists them. A user created by the task gets its memberships after every create and update request.
      - The documented rules apply to every value that is sent. A value that equals the current one is not sent,
        so it is never refused (accounts hold values older than the rules, such as V(john.doe)), and a username
        that only finds a user is never refused for its format.
      - V(username) may hold only ASCII letters, digits, dash and underscore. The Ubidots page says
        "alphanumeric characters, dash or hyphen"; the second word is read as the underscore.
      - Every V(defaultOrganization), V(defaultRole) and V(defaultDashboard) that would be sent is looked up
        first (one read per kind); an unknown one fails the task before any write, in check mode too.
      - Only the keys you give are compared. V(tags) are compared as a set; V(defaultOrganization) and
        V(defaultDashboard) match the user's current one by id or label, V(defaultRole) by label;
        V(contactMethods) are compared without their server-side ids, in any order. Values compare as JSON does
        (V(true) is not V(1)).
      - An empty list sends no request and reports C(changed=false) (unless O(prune=true)).
    type: list
    elements: dict
    required: true
  update_password:
    description:
      - Passwords cannot be read back, so a given password cannot be compared. A new user always gets the
        password its item gives (the API requires one).
      - V(on_create) sends a password only when the user is created, so a play that lists passwords is idempotent.
      - V(always) also sends every given password to existing users, and so reports them as changed on every run.
      - V(never) sends no password to existing users, and warns for each such item that holds one.
    type: str
    choices: [always, on_create, never]
    default: on_create
  purge_organizations:
    description:
      - With V(true), a membership of a listed user that its V(organizations) does not list is removed, with one
        C(POST /api/v2.0/users/<id>/_/remove_organizations/) per user (body C([{label}, ...])). That endpoint is
        used by public client code but is missing from the Ubidots API reference.
      - Only users whose item lists V(organizations) are touched; V(organizations=[]) with V(true) removes every
        membership of that user.
      - An item whose V(defaultOrganization) is not among its V(organizations) fails before any write, in check mode
        too, because the purge would remove the membership of the user's default organization.
    type: bool
    default: false
    version_added: 0.2.0
notes:
  - Passwords and the token are registered as secrets at run time, so that no result, diff, warning,
    error, C(-vvv) output or module invocation log shows them; diffs show a password as C(********).
  - Two tasks in a row see each other's changes, because each waits (O(wait)) until its changes show. What no
    module can guarantee is a change made by someone else between this module's read and its write.
seealso:
  - module: ubidots.industrial.ubidots_users_info
  - name: Bulk Update Users (Ubidots API reference)
    description: The endpoint this module calls for existing users.
    link: https://docs.ubidots.com/reference/bulk-update-users
author:
  - Ubidots Industrial collection maintainers (@ubidots)
"""

EXAMPLES = r"""
# The modules call the API from the controller: run them once per play (run_once, delegate_to: localhost),
# or in a play on localhost. api_token comes from the UBIDOTS_TOKEN environment variable here.
- name: Bring users to the wanted state (a new username is created)
  ubidots.industrial.ubidots_users_bulk:
    users:
      - id: 409dba9c67d3bb19f554
        firstName: Ada
        lastName: Lovelace
        tags: [engineering, admins]
        defaultRole: editor
      - username: grace-hopper          # found by username; created if it does not exist
        email: grace@example.com
        password: "{{ vault_grace_password }}"   # sent only when the user is created (update_password: on_create)
        isActive: true
        defaultOrganization: plant-north  # organization id or label
        contactMethods:
          - type: email
            values: [grace@example.com]
        organizations:                   # memberships
          - label: plant-north
            role: editor
          - label: plant-south
            role: viewer
  run_once: true
  delegate_to: localhost

- name: Switch leavers off (isActive false, one bulk update; listing them again brings them back)
  ubidots.industrial.ubidots_users_bulk:
    users:
      - username: contractor-01
      - username: contractor-02
    state: absent
    removal: deactivate
  run_once: true
  delegate_to: localhost

- name: Preview what the repository would change, prune included (read the diff before applying)
  ubidots.industrial.ubidots_users_bulk:
    api_token: "{{ vault_ubidots_token }}"
    users: "{{ ubidots_users }}"
    prune: true
    max_deletions: 5
  check_mode: true
  diff: true
  register: plan
  run_once: true
  delegate_to: localhost

- name: Reset a password
  ubidots.industrial.ubidots_users_bulk:
    users:
      - username: contractor-03
        password: "{{ vault_contractor_password }}"
    update_password: always
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
created:
  description:
    - Usernames of the users created (planned, in check mode).
    - When a request failed, the users created before it, including those whose later requests (memberships)
      then failed or were not sent; RV(accepted_ids), RV(failed_ids) and RV(unsent_ids) name them by the ids the API gave them.
  returned: success, and when a request failed
  type: list
  elements: str
  sample: [grace-hopper]
changed_ids:
  description: Ids of the existing users that differed (and were updated, unless in check mode).
  returned: success
  type: list
  elements: str
  sample: [409dba9c67d3bb19f554]
deleted_ids:
  description: Ids of the users deleted (planned, in check mode), by O(state=absent) or O(prune=true).
  returned: success
  type: list
  elements: str
  sample: [5f9a1c3e2b4d6f8a0c1e]
deactivated:
  description:
    - Ids of the users deactivated (planned, in check mode) with O(removal=deactivate), by O(state=absent) or
      O(prune=true); an user already inactive is not among them. Empty with O(removal=delete).
  returned: success
  type: list
  elements: str
  version_added: 0.2.0
unchanged_ids:
  description: Ids of the listed users that already had the wanted values.
  returned: success
  type: list
  elements: str
  sample: [445da83878abc3c75756]
changes:
  description:
    - One entry per created, updated, deactivated or deleted user, in the order they are sent, with the changed keys before
      and after (V("") for nothing); passwords masked. C(id) is null for a created user (its id is in
      RV(accepted_ids) only when a later request fails).
    - At most O(changes_limit) entries; RV(changes_omitted) counts the others.
  returned: success
  type: list
  elements: dict
  sample:
    - action: update
      id: 409dba9c67d3bb19f554
      username: ada
      before: {firstName: Ada, tags: [engineering]}
      after: {firstName: Augusta, tags: [admins, engineering]}
protected:
  description:
    - The users that O(prune=true) kept because O(protected) names them, each with its C(id) and C(username)
      (planned, in check mode). A warning names them too.
  returned: success
  type: list
  elements: dict
  sample: [{id: 409dba9c67d3bb19f554, username: admin}]
counts:
  description: How many users the run creates, updates, deactivates, deletes and leaves unchanged (always complete).
  returned: success
  type: dict
  sample: {created: 1, updated: 2, deleted: 0, deactivated: 0, unchanged: 37}
changes_omitted:
  description:
    - How many changed users RV(changes) and the diff leave out, past O(changes_limit) (0 when none is left out).
  returned: success
  type: int
  sample: 0
tasks:
  description:
    - Ids of the asynchronous tasks the API answered bulk requests with, in the order sent.
    - Empty in check mode and when nothing changed.
  returned: success, and when a request or the wait failed
  type: list
  elements: str
  sample: [tyg54645501a9ca5714e7b098721]
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
  sample: ["users[3] (id 409dba9c67d3bb19f554): tags: 21 items, at most 20"]
accepted_ids:
  description:
    - When a request failed, the users whose every request was sent and accepted before it (created, updated,
      their memberships assigned or removed, or deleted).
    - A user's change can take several requests (its create or its bulk update, then one request per membership
      endpoint), so each user of the run is in exactly one of RV(accepted_ids), RV(failed_ids) and RV(unsent_ids)
      (failed if the request that failed carried it, else not sent if a later request carries it, else accepted).
      The message counts and names users the same way, each once.
    - A user created by the task is named by the id the API gave it (the message adds its username); RV(created)
      names the created users by username.
  returned: failure
  type: list
  elements: str
  sample: ["409dba9c67d3bb19f554"]
failed_ids:
  description:
    - When a request failed, the users it carried (ids, or C(new <username>) for a user not created yet), even if
      an earlier request already applied part of their change (the message marks them C(partly applied) and names
      what was applied, C(created), C(updated), C(organizations assigned) or C(organizations removed)).
    - If the server received it but gave no usable answer (a timeout, a dropped connection, HTTP 500), the message
      says that it may have been applied, and the task reports C(changed=true).
  returned: failure
  type: list
  elements: str
  sample: ["445da83878abc3c75756"]
unsent_ids:
  description:
    - When a request failed, the other users of the later requests, which were not sent (ids, or
      C(new <username>) for a user not created yet).
    - Part of such a user's change may have been applied already (its create or its update accepted, its
      memberships not sent); the message marks it C(partly applied) and says what was applied.
  returned: failure
  type: list
  elements: str
  sample: ["5e8f1c2d3b4a596877665505"]
would_delete:
  description: When the run would delete more users than O(max_deletions) allows, how many; nothing was written.
  returned: failure
  type: int
  sample: 25
would_deactivate:
  description: With O(removal=deactivate), when the run would deactivate more users than O(max_deletions) allows, how many; nothing was written.
  returned: failure
  type: int
  sample: 25
  version_added: 0.2.0
pending_ids:
  description:
    - When O(wait=true) and the changes did not show within O(wait_timeout), the users read back (the last of
      each request) that did not (ids, or C(new <name>) for one created by the task).
    - The changes were accepted; the task reports C(changed=true).
  returned: failure
  type: list
  elements: str
  sample: ["409dba9c67d3bb19f554"]
status:
  description: The HTTP status of the answer that made the task fail, when one came.
  returned: failure
  type: int
  sample: 400
"""

from ansible_collections.ubidots.industrial.plugins.module_utils._bulk import bulk_argument_spec, run_bulk
from ansible_collections.ubidots.industrial.plugins.module_utils._common import UbidotsModule
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import USERS


def main():
    module = UbidotsModule(argument_spec=bulk_argument_spec(USERS), supports_check_mode=True)
    module.run(run_bulk, USERS)


if __name__ == "__main__":
    main()
