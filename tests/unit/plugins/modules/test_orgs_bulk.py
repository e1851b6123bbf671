# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ubidots_orgs_bulk run in process against the emulator: full-update semantics (the whole merged object is sent),
idempotence, check mode, label lookup, properties, app and image references, duplicate labels.

Its validation table, shared with ubidots_users_bulk, is in test_bulk_modules.py."""

from __future__ import annotations

import pytest

from ubidots_testing import api_log, header, orgs_by_label, orgs_task, writes

BULK_PATH = "/api/v2.0/organizations/_/bulk/update/"
FULL_KEYS = ["app", "description", "favicon", "id", "isActive", "label", "logo", "name", "properties"]


def test_one_post_with_headers_and_the_whole_merged_state(emulator, run_module):
    acme = orgs_by_label(emulator)["acme-plant"]
    run = run_module(orgs_task([{"id": acme["id"], "description": "Rebuilt in 2026"}]))
    assert run.rc == 0, run.output
    sent = writes(emulator)
    assert len(sent) == 1
    request = sent[0]
    assert (request["method"], request["path"]) == ("POST", BULK_PATH)
    assert header(request, "X-Bulk-Operation") == "True"
    assert header(request, "X-Auth-Token") == "***"
    assert header(request, "Content-Type").startswith("application/json")
    assert request["body"] == [{
        "id": acme["id"], "label": "acme-plant", "name": "ACME Plant", "description": "Rebuilt in 2026",
        "properties": {"site": "north", "shifts": 3}, "isActive": True, "app": acme["app"]["id"],
        "favicon": acme["favicon"]["raw"], "logo": acme["logo"]["raw"],
    }]
    assert sorted(request["body"][0]) == FULL_KEYS
    assert run.result["changed"] is True and len(run.result["tasks"]) == 1


def test_fields_not_mentioned_survive_the_full_update(emulator, run_module):
    before = orgs_by_label(emulator)["acme-plant"]
    run = run_module(orgs_task([{"id": before["id"], "description": "Only this changes"}]))
    assert run.rc == 0, run.output
    after = orgs_by_label(emulator)["acme-plant"]
    assert after["description"] == "Only this changes"
    for key in ("name", "properties", "app", "isActive", "label"):
        assert after[key] == before[key], key
    assert after["favicon"]["raw"] == before["favicon"]["raw"]
    assert after["logo"]["raw"] == before["logo"]["raw"]


def test_the_emulator_really_resets_what_a_full_update_omits(emulator):
    """Guards the test above: without the merge, the fields would be lost."""
    import requests  # pylint: disable=import-outside-toplevel
    acme = orgs_by_label(emulator)["acme-plant"]
    answer = requests.post(emulator.url + BULK_PATH, json=[{"id": acme["id"], "label": "acme-plant", "description": "x"}],
                           headers={"X-Auth-Token": emulator.token, "X-Bulk-Operation": "True"}, timeout=10)
    assert answer.status_code == 200
    after = orgs_by_label(emulator)["acme-plant"]
    assert after["properties"] == {} and after["app"] is None and after["name"] == "acme-plant"


def test_second_run_is_idempotent_with_no_write(emulator, run_module):
    orgs = orgs_by_label(emulator)
    items = [{"id": orgs["org1"]["id"], "name": "Org One", "properties": {"tier": "gold"}},
             {"label": "north_site", "app": "acme-portal", "isActive": True}]
    assert run_module(orgs_task(items)).result["changed"] is True
    emulator.clear_log()
    again = run_module(orgs_task(items))
    assert again.rc == 0, again.output
    assert again.result["changed"] is False and again.result["tasks"] == []
    assert writes(emulator) == []
    assert orgs_by_label(emulator)["org1"]["properties"] == {"color": "#BADA55", "tier": "gold"}


def test_check_mode_equals_the_real_run_and_writes_nothing(emulator, run_module):
    orgs = orgs_by_label(emulator)
    items = [{"id": orgs["org2"]["id"], "description": "Checked", "properties": {"color": "#000000"}},
             {"label": "legacy-site", "isActive": False}]
    before = emulator.state()
    check = run_module(orgs_task(items), check=True, diff=True)
    assert check.rc == 0, check.output
    assert writes(emulator) == [] and emulator.state() == before
    real = run_module(orgs_task(items), diff=True)
    for key in ("changed", "changed_ids", "unchanged_ids", "changes", "diff"):
        assert check.result[key] == real.result[key], key
    assert check.result["diff"][0]["before_header"] == "organization %s (label org2)" % orgs["org2"]["id"]
    assert check.result["diff"][0]["after"] == {"description": "Checked", "properties": {"color": "#000000"}}
    assert check.result["unchanged_ids"] == [orgs["legacy-site"]["id"]]


def test_label_lookup(emulator, run_module):
    orgs = orgs_by_label(emulator)
    run = run_module(orgs_task([{"label": "north_site", "description": "Found by label"}]))
    assert run.rc == 0, run.output
    reads = api_log(emulator, method="GET")
    assert reads[0]["query"]["label__in"] == ["north_site"]
    assert writes(emulator)[0]["body"][0]["id"] == orgs["north_site"]["id"]


@pytest.mark.parametrize("purge, expected", [
    (False, {"site": "north", "shifts": 2, "zone": "A"}),
    (True, {"shifts": 2, "zone": "A"}),
])
def test_purge_properties_both_ways(emulator, run_module, purge, expected):
    acme = orgs_by_label(emulator)["acme-plant"]
    items = [{"id": acme["id"], "properties": {"zone": "A", "shifts": 2}}]
    run = run_module(orgs_task(items, purge_properties=purge))
    assert run.rc == 0, run.output
    assert writes(emulator)[0]["body"][0]["properties"] == expected
    assert orgs_by_label(emulator)["acme-plant"]["properties"] == expected
    emulator.clear_log()
    assert run_module(orgs_task(items, purge_properties=purge)).result["changed"] is False
    assert writes(emulator) == []


def test_properties_compare_deeply_regardless_of_key_order(emulator, run_module):
    acme = orgs_by_label(emulator)["acme-plant"]
    run = run_module(orgs_task([{"id": acme["id"], "properties": {"shifts": 3, "site": "north"}}], purge_properties=True))
    assert run.result["changed"] is False
    assert writes(emulator) == []


def test_app_by_id_or_label_and_images_by_url(emulator, run_module):
    acme = orgs_by_label(emulator)["acme-plant"]
    same = [{"id": acme["id"], "app": acme["app"]["label"], "favicon": acme["favicon"]["raw"]}]
    assert run_module(orgs_task(same)).result["changed"] is False
    same = [{"id": acme["id"], "app": acme["app"]["id"], "logo": acme["logo"]["raw"]}]
    assert run_module(orgs_task(same)).result["changed"] is False
    assert writes(emulator) == []
    changed = run_module(orgs_task([{"id": acme["id"], "app": None, "logo": "https://cdn.example.com/new.png"}]))
    assert changed.result["changed"] is True
    body = writes(emulator)[0]["body"][0]
    assert body["app"] is None and body["logo"] == "https://cdn.example.com/new.png"
    assert body["favicon"] == acme["favicon"]["raw"]


def test_duplicate_labels_fail_with_no_request(emulator, run_module):
    run = run_module(orgs_task([{"label": "org1", "name": "a"}, {"label": "org1", "name": "b"}]))
    assert run.rc != 0
    assert "organizations[1] (label org1): same label as organizations[0]" in run.result["msg"]
    assert emulator.log() == []
