#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ubidots_orgs_info
short_description: Read Ubidots organizations in the shape ubidots_orgs_bulk takes
version_added: 0.1.0
description:
  - Reads all organizations of the account, or those selected by ids, labels or API filters, page by page,
    within the client-side rate limit.
  - Returns each organization in exactly the item shape M(ubidots.industrial.ubidots_orgs_bulk) accepts, so
    that feeding the result back into that module changes nothing. Images are returned as their URL, the
    app as its id.
extends_documentation_fragment:
  - ubidots.industrial.connection
  - ubidots.industrial.connection.ACTION_GROUP
  - ubidots.industrial.info
options:
  labels:
    description:
      - Read only the organizations with these labels. Labels that do not exist are returned in RV(missing_labels).
    type: list
    elements: str
seealso:
  - module: ubidots.industrial.ubidots_orgs_bulk
author:
  - Ubidots Industrial collection maintainers (@ubidots)
"""

EXAMPLES = r"""
- name: Read every organization
  ubidots.industrial.ubidots_orgs_info:
  register: all_orgs

- name: Read organizations whose label starts with plant-
  ubidots.industrial.ubidots_orgs_info:
    filters:
      label__startswith: plant-
  register: plants
"""

RETURN = r"""
organizations:
  description: The organizations, in the item shape of M(ubidots.industrial.ubidots_orgs_bulk).
  returned: success
  type: list
  elements: dict
  sample:
    - id: 6027087b65a24d1987654321
      label: org1
      name: Organization 1
      description: Organization One
      properties: {color: "#BADA55"}
      isActive: true
      app: null
      favicon: null
      logo: null
count:
  description: Number of organizations returned.
  returned: success
  type: int
missing_ids:
  description: Requested ids that do not exist.
  returned: success
  type: list
  elements: str
missing_labels:
  description: Requested labels that do not exist.
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
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import ORGANIZATIONS


def main():
    module = UbidotsModule(argument_spec=info_argument_spec("labels"), supports_check_mode=True,
                           mutually_exclusive=[("filters", "ids"), ("filters", "labels")])
    module.run(run_info, ORGANIZATIONS, "labels")


if __name__ == "__main__":
    main()
