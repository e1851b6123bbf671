# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Selection options shared by the info modules."""

from __future__ import annotations


class ModuleDocFragment:
    """Selection by ids or API filters, and the read-only attributes."""

    DOCUMENTATION = r"""
options:
  ids:
    description:
      - Read only the objects with these ids. Ids that do not exist are returned in RV(missing_ids).
      - Can be combined with the name selection of the module; not with O(filters).
    type: list
    elements: str
  filters:
    description:
      - "Ubidots API filters, passed as query parameters of the listing, for example
        C({isActive: true}), C({tags__contains: ops}) or C({label__startswith: plant-}).
        Booleans become V(true)/V(false); lists are joined with commas (for C(__in) filters)."
      - Without O(ids), a name selection or O(filters), every object of the account is read, page by page.
    type: dict
attributes:
  check_mode:
    support: full
    description: Read-only; works the same in check mode.
  diff_mode:
    support: none
    description: Read-only; returns no diff.
"""
