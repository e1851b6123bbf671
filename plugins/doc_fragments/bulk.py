# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of the bulk pipeline shared by the bulk modules."""

from __future__ import annotations


class ModuleDocFragment:
    """Lifecycle, batching and waiting, written once for every bulk module."""

    DOCUMENTATION = r"""
options:
  state:
    description:
      - V(present) creates the listed objects that do not exist and updates those that differ.
      - V(absent) deletes the listed objects that exist (or, with O(removal=deactivate), sets their C(isActive) to
        V(false)); a listed object that does not exist is not a change.
        Items then need only their identity; their other keys are not compared, but must still be keys of the
        resource with values of the right type. A listed object that O(protected) names fails the task before any
        write.
    version_added: 0.2.0
    type: str
    choices: [present, absent]
    default: present
  prune:
    description:
      - "B(Deletes every object of the account that is not listed.) This makes the list the whole truth
        for the account (the GitOps workflow): an object created by hand, or missing from the list by
        mistake, is deleted."
      - With O(removal=deactivate), it sets their C(isActive) to V(false) instead, which can be undone.
      - Only with O(state=present). Guarded by O(max_deletions), O(protected) and O(allow_empty_prune). Run it with
        C(--check --diff) first and read the objects it would delete (each one's diff entry shows its current state).
      - With O(prune=true) the module reads the whole account in one paginated listing.
    version_added: 0.2.0
    type: bool
    default: false
  removal:
    description:
      - What O(state=absent) and O(prune=true) do to an object.
      - V(delete) deletes it (this cannot be undone).
      - V(deactivate) sets its C(isActive) to V(false) with the bulk update and never deletes it. Users are sent as
        their id and C(isActive) only; organizations, whose bulk update is a full update, with their current fields.
        Deactivations travel in the bulk update requests, O(batch_size) objects per request (1,000 leavers in one
        request with O(batch_size=1000)). An object that is already inactive is no change.
      - With V(deactivate), a listed object whose item does not give C(isActive) is wanted active, so listing a
        leaver again brings it back; C(isActive=false) in an item keeps it off. With V(delete), C(isActive) is
        compared only when an item gives it.
      - O(max_deletions), O(protected) and O(allow_empty_prune) count and refuse deactivations as they do deletes.
        Messages, the diff (C(deactivated), from C(isActive=true) to C(isActive=false)), RV(deactivated) and check mode
        say deactivate.
    version_added: 0.2.0
    type: str
    choices: [delete, deactivate]
    default: delete
  max_deletions:
    description:
      - The most objects one run may delete, by O(state=absent) or O(prune=true). A run that would delete more
        fails before any write, naming how many and the first of them. With O(removal=deactivate), the most
        objects one run may deactivate.
      - Objects kept by O(protected) do not count.
      - An empty list with O(prune=true) fails before any request whatever this says (see O(allow_empty_prune)).
    version_added: 0.2.0
    type: int
    default: 10
  protected:
    description:
      - Objects that this module never deletes (nor deactivates), each named by id, username (users) or label (organizations),
        without regard to case (a capital letter never unprotects an object).
      - O(prune=true) keeps them and reports them in RV(protected) and in a warning. O(state=absent) that lists one
        fails before any write, naming it.
      - Protect the user whose token the module uses and the account's administrators.
      - With O(prune=true), the module reads the whole account and warns of a name that matches no object (a typo
        protects nothing). Without prune only the listed objects are read, so such a name cannot be checked.
    version_added: 0.2.0
    type: list
    elements: str
    default: []
  allow_empty_prune:
    description:
      - O(prune=true) with an empty list would delete every object of the account (a misspelt variable, a directory
        without files). It fails before any request, however high O(max_deletions) is, unless this is V(true).
      - With V(true), O(max_deletions) and O(protected) still apply, so to empty an account raise O(max_deletions) too.
    version_added: 0.2.0
    type: bool
    default: false
  batch_size:
    description:
      - Highest number of objects in one bulk request.
      - A task sends one bulk request per action that has a bulk endpoint when everything fits in one batch,
        and one request per batch otherwise, in order. Users have a bulk endpoint for updates only; users
        are created and deleted one request each, and memberships are assigned with one request per user.
      - If a request fails, the failure names the requests (and task ids) already accepted and
        the objects not applied; running the task again sends only what is still different.
    type: int
    default: 500
  wait:
    description:
      - The API applies bulk requests asynchronously and documents no endpoint to follow their tasks.
        With O(wait=true) (the default), the module re-reads the last object of each request until it shows what
        was sent, so that the next task, or the next play, reads the new state; without it, a task that runs right
        after could read the state from before this task and write an old value back.
      - The API applies a bulk request as one task, in the order of its items, so its last object shows last. The
        wait therefore costs one read for up to about 135 requests (67,000 objects at the default O(batch_size)),
        not a second read of every object. The live contract suite checks that order against a real account.
      - Write-only values (passwords) cannot be read back and are not waited for.
      - V(false) returns as soon as the API accepted the requests (faster, for a last task).
    type: bool
    default: true
  changes_limit:
    description:
      - The most objects described one by one in RV(changes) and in the diff. Past it, the diff ends with one line
        counting the objects not shown, and RV(changes_omitted) counts them. Deletions and deactivations are always
        described, each of them (O(max_deletions) bounds how many there are), and the creates and updates fill
        what room is left. The id lists (RV(created),
        RV(changed_ids), RV(deleted_ids), RV(deactivated), RV(unchanged_ids)) and RV(counts) are always complete.
      - A run over a whole account can change thousands of objects; describing each one costs Ansible time and
        memory to return and makes the diff unreadable. V(0) describes every object.
      - Ansible returns a module's arguments in its result (C(invocation), shown at C(-vvv) and kept by C(register);
        from ansible-core 2.21 on, only with the C(INJECT_INVOCATION) setting).
        A list of more than 100 items (or more than O(changes_limit), if lower) is counted there (C(10000 items ...))
        instead of repeated, so that a run over many objects does not return its input again; V(0) repeats it whole.
    version_added: 0.2.0
    type: int
    default: 1000
  wait_timeout:
    description:
      - Seconds to wait with O(wait=true). When they run out, the module fails and names the objects
        that do not show the desired values yet.
    type: int
    default: 120
attributes:
  check_mode:
    support: full
    description: Reads the current state and reports the same C(changed), C(created), C(changed_ids), C(deleted_ids),
      C(deactivated), C(changes) and diff that a real run would, without writing.
  diff_mode:
    support: full
    description: One diff entry per changed object (created, updated or deleted), naming it in the header, with only
      the changed keys; secrets are shown as a fixed mask. A deactivation (O(removal=deactivate)) shows as C(isActive)
      from V(true) to V(false).
"""
