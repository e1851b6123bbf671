# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Memberships (issue 14) through real ansible-playbook runs against the emulator: what only Ansible shows, the
diff as printed and the round trip of ubidots_users_info `memberships` into ubidots_users_bulk through a
registered variable. The engine's memberships behaviour is tested in process:
tests/unit/plugins/modules/test_memberships_engine.py.

Fixture memberships (tests/emulator/README.md): admin is admin of org1, org2 and acme-plant; alice is editor of
org1; bob is viewer of org2; frank_ops is viewer of north_site; grace-h is viewer of legacy-site.
"""

from __future__ import annotations

import pytest

from ubidots_testing import USERS_MODULE, api_log, users_task, write_entries
from ubidots_testing import membership as m

INFO = "ubidots.industrial.ubidots_users_info"
ADMIN = "5e8f1c2d3b4a596877665501"
ALICE = "409dba9c67d3bb19f554"


# add (admin: north_site), re-role (admin: org2), remove (admin: acme-plant, with purge), and a second user
PLAN = [
    {"id": ADMIN, "organizations": [m("org1", "admin"), m("org2", "viewer"), m("north_site", "editor")]},
    {"id": ALICE, "organizations": [m("org1", "editor"), m("legacy-site", "operator")]},
]


def test_the_diff_names_what_is_added_re_roled_and_removed_sorted_by_label(emulator, run_playbook):
    run = run_playbook(users_task(PLAN[:1], purge_organizations=True), check=True, diff=True)
    assert run.rc == 0, run.output
    before = [m("acme-plant", "admin"), m("org1", "admin"), m("org2", "admin")]
    after = [m("north_site", "editor"), m("org1", "admin"), m("org2", "viewer")]
    assert run.result["changes"] == [{"action": "update", "id": ADMIN, "username": "admin",
                                      "before": {"organizations": before}, "after": {"organizations": after}}]
    diff = run.result["diff"]
    assert len(diff) == 1
    assert diff[0]["before_header"] == "user %s (username admin)" % ADMIN
    assert diff[0]["before"] == {"organizations": before}
    assert diff[0]["after"] == {"organizations": after}
    shown = run.stdout
    for label in ("acme-plant", "north_site", "org2"):
        assert label in shown, label
    assert shown.index("acme-plant") < shown.index("org1") < shown.index("org2")


@pytest.mark.core
def test_round_trip_info_to_bulk_is_a_no_op_with_memberships(emulator, run_playbook):
    emulator.update_object("users", "~carol", {"organizations": [m("acme-plant", "operator"), m("org2", "viewer")]})
    run = run_playbook([
        {"name": "users info", INFO: {"memberships": True}, "register": "u"},
        {"name": "back", USERS_MODULE: {"users": "{{ u.users }}"}},
        {"name": "back, purging", USERS_MODULE: {"users": "{{ u.users }}", "purge_organizations": True}},
    ], diff=True)
    assert run.rc == 0, run.output
    info, back, purging = [r["result"] for r in run.results]
    assert all("organizations" in user for user in info["users"])
    carol = next(u for u in info["users"] if u["username"] == "carol")
    assert carol["organizations"] == [m("acme-plant", "operator"), m("org2", "viewer")]
    for result in (back, purging):
        assert result["changed"] is False, result
        assert result["changes"] == [] and result["diff"] == []
        assert len(result["unchanged_ids"]) == info["count"]
    bulk_reads = [e for e in api_log(emulator, method="GET") if "organizations" in e["query"].get("fields", [""])[0]]
    assert len(bulk_reads) >= 3  # info, and both bulk tasks compared memberships
    assert write_entries(emulator) == []
