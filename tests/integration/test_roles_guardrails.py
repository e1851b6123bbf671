# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles with hosts that differ (issue 21, points 2 and 3): one bulk call per account and state, and prune
only on a play that covers every host declaring desired state.

Written from the scenarios of the issue; each failed on the roles of 57ad4f2, where every host's lists went into
one call made with the options of whichever host ran it.
"""

from __future__ import annotations

import pytest

from ubidots_testing import api_log, inventory, write_yaml, writes
from ubidots_emulator import Emulator

USERS_ROLE = {"hosts": "plants", "roles": ["ubidots.industrial.users"]}
# A second admin token of the emulator's one account (the fixture's "docs-example" token).
SAME_ACCOUNT_TOKEN = "oaXBo6ODhIjPsusNRPUGIK4d72bc73"
OTHER_TOKEN = "BBUS-customer-b-secret-token-0001"


def users(emulator):
    """{username: user} of the account."""
    return {u["username"]: u for u in emulator.state()["users"]}


def non_reads(emulator):
    """Every request that is not a read."""
    return [(e["method"], e["path"]) for e in emulator.log() if e["method"] != "GET"]


def kept(run, name):
    """What a `debug: var=name` task after the role printed."""
    return next(r["result"][name] for r in run.results if r["task"] == name)


def show(name):
    """A task that prints a variable once, so that the test can read it."""
    return {"name": name, "run_once": True, "ansible.builtin.debug": {"var": name}}


@pytest.mark.core
def test_a_leavers_host_with_state_absent_deletes_only_its_own_users(emulator, run_playbook, tmp_path):
    # The leavers host comes first, so on the old roles it was the host that ran the one call, for everybody.
    inv = inventory(tmp_path, {
        "leavers": {"ubidots_state": "absent", "ubidots_users": [{"username": "carol"}]},
        "plant-north": {"ubidots_users": [{"username": "alice", "lastName": "North"}]},
        "plant-south": {"ubidots_users": [{"username": "bob", "lastName": "South"}]},
    })
    carol = users(emulator)["carol"]["id"]
    run = run_playbook([show("ubidots_users_results"), show("ubidots_users_result")], play=USERS_ROLE, inventory=inv)
    assert run.rc == 0, run.output
    after = users(emulator)
    assert "carol" not in after
    assert after["alice"]["lastName"] == "North" and after["bob"]["lastName"] == "South"
    assert [method for method, _path in non_reads(emulator)] == ["PATCH", "DELETE"]
    assert carol in non_reads(emulator)[1][1]
    # One result per call: present first (the hosts that keep users), then absent.
    results = kept(run, "ubidots_users_results")
    assert [(r["state"], r["hosts"], r["api_url"]) for r in results] == [
        ("present", ["plant-north", "plant-south"], ""), ("absent", ["leavers"], "")]
    assert len(results[0]["changed_ids"]) == 2 and results[1]["deleted_ids"] == [carol]
    # With several calls, ubidots_users_result says whether any changed and holds the same list.
    summary = kept(run, "ubidots_users_result")
    assert summary["changed"] is True and [r["state"] for r in summary["results"]] == ["present", "absent"]


def test_a_user_present_on_one_host_and_absent_on_another_of_the_account_fails_naming_both(
        emulator, run_playbook, tmp_path):
    # The leavers host inherits the plants' shared directory: it would delete every user the plants keep.
    shared = write_yaml(tmp_path / "state/users/plants.yml", [{"username": "alice"}, {"username": "bob"}])
    inv = inventory(tmp_path, {
        "leavers": {"ubidots_state": "absent", "ubidots_users": [{"username": "carol"}]},
        "plant-north": {"ubidots_users": [{"username": "dave", "lastName": "North"}]},
    }, group_vars={"ubidots_users_dir": str(shared.parent)})
    before = users(emulator)
    for check in (True, False):
        run = run_playbook([], play=USERS_ROLE, inventory=inv, check=check)
        assert run.rc != 0, run.output
        assert ("user username alice is listed with ubidots_state present (on plant-north: in %s (item 1))"
                " and absent (on leavers: in %s (item 1))" % (shared, shared)) in run.output, run.output
        assert "user username bob is listed" in run.output
        assert emulator.log() == []
    assert users(emulator) == before


@pytest.mark.core
def test_hosts_of_two_accounts_each_write_only_their_own_users_with_their_own_token(emulator, run_playbook, tmp_path):
    other = Emulator(idle_timeout=60).start()
    try:
        other.set_state(tokens=[{"token": OTHER_TOKEN, "role": "admin", "name": "customer-b"}], default_token=OTHER_TOKEN)
        password = "Customer-A-Pass-1"
        inv = inventory(tmp_path, {
            "customer-a": {"ubidots_api_url": emulator.url, "ubidots_api_token": emulator.token,
                           "ubidots_update_password": "always",
                           "ubidots_users": [{"username": "alice", "lastName": "Customer A", "password": password}]},
            "customer-b": {"ubidots_api_url": other.url, "ubidots_api_token": OTHER_TOKEN,
                           "ubidots_users": [{"username": "bob", "lastName": "Customer B"}]},
        })
        alice_a, bob_a, bob_b = users(emulator)["alice"]["id"], users(emulator)["bob"]["id"], users(other)["bob"]["id"]

        # The drift job reports every account, each named by its URL and hosts, and writes nothing.
        drift = run_playbook([], play=USERS_ROLE, inventory=inv, check=True, extra_vars={"ubidots_fail_on_drift": True})
        assert drift.rc != 0
        assert ("%s, state present, hosts customer-a: Drift: 1 of 1 users differ from the desired state: %s alice."
                % (emulator.url, alice_a)) in drift.output, drift.output
        assert ("%s, state present, hosts customer-b: Drift: 1 of 1 users differ from the desired state: %s bob."
                % (other.url, bob_b)) in drift.output
        assert writes(emulator) == [] and writes(other) == []

        run = run_playbook([], play=USERS_ROLE, inventory=inv, verbosity=3)
        assert run.rc == 0, run.output
        assert [[item["id"] for item in e["body"]] for e in writes(emulator)] == [[alice_a]]
        assert [[item["id"] for item in e["body"]] for e in writes(other)] == [[bob_b]]
        assert users(emulator)["alice"]["lastName"] == "Customer A" and users(other)["bob"]["lastName"] == "Customer B"
        assert users(emulator)["bob"]["lastName"] != "Customer B" and users(other)["alice"]["lastName"] != "Customer A"
        assert emulator.check_password(alice_a, password)
        # The emulator answers 401 to any other token: each account got its own (the log shows "***" only).
        assert all(e["status"] < 400 for e in api_log(emulator) + api_log(other)), api_log(other)
        assert bob_a not in str(api_log(emulator))
        for secret in (emulator.token, OTHER_TOKEN, password):
            assert secret not in run.output and secret not in drift.output
            assert secret not in str(run.results) and secret not in str(drift.results)
    finally:
        other.stop()


@pytest.mark.parametrize("check", [False, True], ids=["run", "check"])
def test_hosts_of_one_account_that_disagree_on_an_option_fail_naming_it_and_the_hosts(emulator, run_playbook, tmp_path,
                                                                                      check):
    inv = inventory(tmp_path, {
        "plant-north": {"ubidots_max_deletions": 10, "ubidots_users": [{"username": "alice", "lastName": "N"}]},
        "plant-south": {"ubidots_max_deletions": 50, "ubidots_batch_size": 100,
                        "ubidots_users": [{"username": "bob", "lastName": "S"}]},
        "plant-east": {"ubidots_max_deletions": "10", "ubidots_users": [{"username": "dave", "lastName": "E"}]},
    })
    run = run_playbook([], play=USERS_ROLE, inventory=inv, check=check)
    assert run.rc != 0
    assert ("ubidots_max_deletions differs between hosts of one account (the UBIDOTS_API_URL default, state present):"
            " 10 on plant-north, plant-east; 50 on plant-south.") in run.output, run.output
    assert "ubidots_batch_size differs" in run.output
    assert emulator.log() == []


@pytest.mark.core
def test_prune_on_a_limited_play_refuses_naming_the_hosts_left_out_and_the_limit(emulator, run_playbook, tmp_path):
    inv = inventory(tmp_path, {
        "plant-north": {"ubidots_users": [{"username": "alice", "lastName": "North"}]},
        "plant-south": {"ubidots_users": [{"username": "bob", "lastName": "South"}]},
    }, group_vars={"ubidots_prune": True, "ubidots_max_deletions": 20})
    before = users(emulator)
    for check in (True, False):
        run = run_playbook([], play=USERS_ROLE, inventory=inv, limit="plant-north", check=check)
        assert run.rc != 0
        assert ("ubidots_prune would delete the users that hosts outside this play declare (plant-south),"
                " as the play runs with --limit plant-north: run it without --limit") in run.output, run.output
        assert emulator.log() == []
    assert users(emulator) == before

    # The same play on every host prunes what no host lists; with one call, ubidots_users_result is its result.
    run = run_playbook([show("ubidots_users_result")], play=USERS_ROLE, inventory=inv)
    assert run.rc == 0, run.output
    assert sorted(users(emulator)) == ["alice", "bob"]
    result = kept(run, "ubidots_users_result")
    assert len(result["deleted_ids"]) == 6 and len(result["changed_ids"]) == 2
    assert (result["state"], result["hosts"]) == ("present", ["plant-north", "plant-south"])


def test_prune_refuses_when_the_play_leaves_out_a_host_that_declares_state_but_not_a_host_sharing_the_plays(
        emulator, run_playbook, tmp_path):
    shared = write_yaml(tmp_path / "state/organizations/all.yml", [{"label": "org1"}, {"label": "org2"}])
    inv = inventory(tmp_path, {
        "plant-north": {"ubidots_users": [{"username": "alice"}]},
        "plant-south": {"ubidots_users": [{"username": "bob"}]},
    }, group_vars={"ubidots_organizations_dir": str(shared.parent), "ubidots_prune": True, "ubidots_max_deletions": 20})
    # plant-south holds the same directory of organizations as plant-north: pruning organizations loses nothing.
    orgs = run_playbook([], play={"hosts": "plant-north", "roles": ["ubidots.industrial.organizations"]}, inventory=inv,
                        check=True)
    assert orgs.rc == 0, orgs.output
    # It holds its own users: pruning users from a play on plant-north alone would delete bob.
    refused = run_playbook([], play={"hosts": "plant-north", "roles": ["ubidots.industrial.users"]}, inventory=inv,
                           check=True)
    assert refused.rc != 0
    assert ("ubidots_prune would delete the users that hosts outside this play declare (plant-south): run it on"
            " every host that declares users") in refused.output, refused.output
    assert non_reads(emulator) == []


def test_prune_refuses_hosts_that_reach_one_url_with_another_token(emulator, run_playbook, tmp_path):
    # Both tokens are admin tokens of the emulator's one account: pruning with either deletes the other's users.
    inv = inventory(tmp_path, {
        "plant-north": {"ubidots_users": [{"username": "alice"}]},
        "plant-south": {"ubidots_api_token": SAME_ACCOUNT_TOKEN, "ubidots_users": [{"username": "bob"}]},
    }, group_vars={"ubidots_prune": True, "ubidots_max_deletions": 20, "ubidots_api_url": emulator.url})
    before = users(emulator)
    for check in (True, False):
        run = run_playbook([], play=USERS_ROLE, inventory=inv, check=check)
        assert run.rc != 0
        assert ("plant-north and plant-south reach %s with different tokens, which may be one account: ubidots_prune"
                " on one would delete the users the other lists" % emulator.url) in run.output, run.output
        assert SAME_ACCOUNT_TOKEN not in run.output
        assert emulator.log() == []
    assert users(emulator) == before


@pytest.mark.parametrize("kind, keep", [("users", "admin"), ("organizations", "org1")])
def test_the_roles_pass_ubidots_protected_and_ubidots_allow_empty_prune_to_the_module(emulator, run_playbook, kind, keep):
    role = {"role": "ubidots.industrial." + kind, "vars": {"ubidots_prune": True, "ubidots_max_deletions": 20}}
    refused = run_playbook([], play={"roles": [role]})
    assert refused.rc != 0 and "allow_empty_prune" in refused.output, refused.output
    role["vars"].update(ubidots_allow_empty_prune=True, ubidots_protected=[keep])
    run = run_playbook([], play={"roles": [role]})
    assert run.rc == 0, run.output
    name = "username" if kind == "users" else "label"
    assert [o[name] for o in emulator.state()[kind]] == [keep]


def test_prune_still_refuses_after_a_host_of_the_play_failed(emulator, run_playbook, tmp_path):
    inv = inventory(tmp_path, {
        "plant-north": {"ubidots_users": [{"username": "alice"}]},
        "plant-south": {"ubidots_users": [{"username": "bob"}]},
    }, group_vars={"ubidots_prune": True, "ubidots_max_deletions": 20})
    broken = {"name": "south is broken", "ansible.builtin.fail": {"msg": "broken"},
              "when": "inventory_hostname == 'plant-south'"}
    run = run_playbook([], play=dict(USERS_ROLE, pre_tasks=[broken]), inventory=inv)
    assert run.rc != 0
    assert ("ubidots_prune would delete the users of hosts that failed earlier in the play (plant-south): fix them and"
            " run again.") in run.output, run.output
    assert emulator.log() == []


def test_a_host_that_ran_the_organizations_role_but_skipped_the_users_role_is_not_taken_for_one_that_noted_users(
        emulator, run_playbook, tmp_path):
    inv = inventory(tmp_path, {
        "plant-north": {"ubidots_users": [{"username": "alice", "lastName": "N"}]},
        "plant-south": {"ubidots_organizations": [{"label": "org2", "description": "South"}]},
    })
    play = {"hosts": "plants", "roles": ["ubidots.industrial.organizations",
                                         {"role": "ubidots.industrial.users", "when": "inventory_hostname != 'plant-south'"}]}
    run = run_playbook([], play=play, inventory=inv)
    assert run.rc != 0
    assert "the desired users of plant-south were not gathered" in run.output, run.output
    assert [path for _method, path in non_reads(emulator)] == ["/api/v2.0/organizations/_/bulk/update/"]


def test_a_failed_present_call_stops_the_role_before_an_absent_call_deletes(emulator, run_playbook, tmp_path):
    # A rename: the plant lists the new username (without the password a new user needs), the leavers host the old.
    inv = inventory(tmp_path, {
        "plant-north": {"ubidots_users": [{"username": "alice-new", "email": "alice@example.com"}]},
        "leavers": {"ubidots_state": "absent", "ubidots_users": [{"username": "alice"}]},
    })
    run = run_playbook([], play=USERS_ROLE, inventory=inv)
    assert run.rc != 0
    assert "a new user needs username, email, password (missing: password)" in run.output, run.output
    assert "alice" in users(emulator) and non_reads(emulator) == []


def test_a_host_left_out_whose_directory_uses_a_play_variable_still_blocks_prune(emulator, run_playbook, tmp_path):
    # Outside the play, "{{ state_root }}" cannot be resolved (ansible-core 2.19 and later read it as undefined).
    write_yaml(tmp_path / "state/south/bob.yml", {"username": "bob"})
    inv = inventory(tmp_path, {
        "plant-north": {"ubidots_users": [{"username": "alice"}]},
        "plant-south": {"ubidots_users_dir": "{{ state_root }}/south"},
    }, group_vars={"ubidots_prune": True, "ubidots_max_deletions": 20})
    play = dict(USERS_ROLE, vars={"state_root": str(tmp_path / "state")})
    run = run_playbook([], play=play, inventory=inv, limit="plant-north")
    assert run.rc != 0
    assert "hosts outside this play declare (plant-south)" in run.output, run.output
    assert non_reads(emulator) == [] and "bob" in users(emulator)


def test_the_plan_with_every_hosts_objects_and_tokens_is_forgotten_after_the_role(emulator, run_playbook, tmp_path):
    inv = inventory(tmp_path, {
        "customer-a": {"ubidots_api_token": emulator.token, "ubidots_users": [{"username": "alice"}]},
        "customer-b": {"ubidots_api_token": SAME_ACCOUNT_TOKEN, "ubidots_api_url": emulator.url + "/",
                       "ubidots_users": [{"username": "bob"}]},
    })
    shown = [dict(show(name), run_once=False) for name in ("__ubidots_plan", "__ubidots_desired", "__ubidots_users_options")]
    run = run_playbook(shown, play=USERS_ROLE, inventory=inv)
    assert run.rc == 0, run.output
    for name in ("__ubidots_plan", "__ubidots_desired", "__ubidots_users_options"):
        assert all(r["result"][name] is None for r in run.results if r["task"] == name), run.output
    assert SAME_ACCOUNT_TOKEN not in run.output and emulator.token not in run.output
