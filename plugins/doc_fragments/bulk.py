# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of the bulk pipeline shared by the bulk modules."""

from __future__ import annotations


class ModuleDocFragment:
    """Batching and waiting, written once for every bulk module."""

    DOCUMENTATION = r"""
options:
  batch_size:
    description:
      - Highest number of objects in one bulk request.
      - A task sends one bulk request when everything that changed fits in one batch,
        and one request per batch otherwise, in order.
      - If a request fails, the failure names the requests (and task ids) already accepted and
        the objects not applied; running the task again sends only what is still different.
    type: int
    default: 500
  wait:
    description:
      - The API applies a bulk update asynchronously and documents no endpoint to follow its task.
        With O(wait=true), the module re-reads the changed objects until they show the desired values.
      - Write-only values (passwords) cannot be read back and are not waited for.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait with O(wait=true). When they run out, the module fails and names the objects
        that do not show the desired values yet.
    type: int
    default: 120
attributes:
  check_mode:
    support: full
    description: Reads the current state and reports the same C(changed), C(changes) and diff that a real run would, without writing.
  diff_mode:
    support: full
    description: One diff entry per changed object, with only the changed keys; secrets are shown as a fixed mask.
"""
