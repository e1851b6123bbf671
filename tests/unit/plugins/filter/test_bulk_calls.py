# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bulk_calls filter: the roles' plan of one bulk call per account and state, and what it refuses."""

from __future__ import annotations

import json

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.ubidots.industrial.plugins.filter.bulk_calls import bulk_calls

TOKEN_A, TOKEN_B = "BBUS-secret-token-a", "BBUS-secret-token-b"
DEFAULTS = {"ubidots_state": "present", "ubidots_prune": False, "ubidots_max_deletions": 10, "ubidots_protected": [],
            "ubidots_allow_empty_prune": False, "ubidots_api_url": "", "ubidots_api_token": "", "ubidots_batch_size": 500,
            "ubidots_wait": True, "ubidots_wait_timeout": 120, "ubidots_fail_on_drift": False,
            "ubidots_update_password": "on_create", "ubidots_purge_organizations": False}


def host(users=None, directory="", **options):
    """What one host notes: its list, its directory and its role variables (the defaults, changed by `options`)."""
    return {"list": users or [], "dir": directory, "options": dict(DEFAULTS, **{"ubidots_" + k: v for k, v in options.items()})}


def plan(hosts, **kwargs):
    """The plan of these hosts ({name: host(...)}), given as the role gives it: sources and options apart."""
    sources = {name: {"list": h["list"], "dir": h["dir"]} if h else h for name, h in hosts.items()}
    options = {name: h["options"] for name, h in hosts.items() if h}
    return bulk_calls(sources, "users", options=options, **kwargs)


def refusal(hosts, **kwargs):
    result = plan(hosts, **kwargs)
    assert result["calls"] == [] and result["desired"] == [] and result["error"]
    for token in (TOKEN_A, TOKEN_B):
        assert token not in result["error"]
    return result["error"]


def test_one_host_makes_one_call_with_the_module_options():
    result = plan({"localhost": host([{"username": "alice"}], prune=True, protected=["admin"], allow_empty_prune=True)})
    assert result["error"] == ""
    [call] = result["calls"]
    assert result["desired"] == [[{"username": "alice"}]]
    assert call["state"] == "present" and call["hosts"] == ["localhost"]
    assert call["api_url"] == "" and call["api_token"] == "" and call["fail_on_drift"] is False
    assert call["options"] == {"prune": True, "max_deletions": 10, "protected": ["admin"], "allow_empty_prune": True,
                               "batch_size": 500, "wait": True, "wait_timeout": 120, "update_password": "on_create",
                               "purge_organizations": False}
    assert call["label"] == "the UBIDOTS_API_URL default, state present, hosts localhost"
    assert call["about"] == {"api_url": "", "state": "present", "hosts": ["localhost"]}


def test_hosts_are_grouped_by_account_and_state_present_calls_first_each_with_its_own_objects():
    result = plan({
        "leavers": host([{"username": "carol"}], state="absent"),
        "north": host([{"username": "alice"}]),
        "customer-b": host([{"username": "alice"}], api_url="https://b.example", api_token=TOKEN_B),
        "south": host([{"username": "bob"}]),
    })
    assert result["error"] == ""
    assert [(c["api_url"], c["state"], c["hosts"], d) for c, d in zip(result["calls"], result["desired"])] == [
        ("", "present", ["north", "south"], [{"username": "alice"}, {"username": "bob"}]),
        ("https://b.example", "present", ["customer-b"], [{"username": "alice"}]),
        ("", "absent", ["leavers"], [{"username": "carol"}]),
    ]
    assert result["calls"][1]["api_token"] == TOKEN_B
    assert result["calls"][1]["label"] == "https://b.example, state present, hosts customer-b"
    assert all(TOKEN_B not in call["label"] and TOKEN_B not in str(call["about"]) for call in result["calls"])


def test_a_label_names_at_most_five_hosts():
    result = plan({"h%d" % i: host([{"username": "u%d" % i}]) for i in range(7)})
    assert result["calls"][0]["label"].endswith("hosts h0, h1, h2, h3, h4 and 2 more")


def test_values_are_compared_as_the_module_takes_them():
    # An INI inventory gives strings; a trailing slash or blank around a URL or token names the same account.
    result = plan({"north": host(max_deletions=10, wait="yes", api_url="https://a.example", api_token=TOKEN_A),
                   "south": host(max_deletions="10", wait=True, api_url="https://a.example/", api_token=" %s\n" % TOKEN_A)})
    assert result["error"] == ""
    [call] = result["calls"]
    assert call["options"]["max_deletions"] == 10 and call["options"]["wait"] is True and call["api_token"] == TOKEN_A


def test_hosts_of_one_account_that_disagree_fail_naming_every_variable_value_and_host():
    error = refusal({"north": host(max_deletions=10, api_token=TOKEN_A), "south": host(max_deletions=50, api_token=TOKEN_A),
                     "east": host(max_deletions=10, protected=["admin"], api_token=TOKEN_A)})
    assert error == ("ubidots_max_deletions differs between hosts of one account (the UBIDOTS_API_URL default, state"
                     " present): 10 on north, east; 50 on south. ubidots_protected differs between hosts of one account"
                     " (the UBIDOTS_API_URL default, state present): [] on north, south; [\"admin\"] on east. Give every"
                     " host of one account and state the same value (in the variables of a group).")


def test_hosts_of_two_accounts_may_set_their_variables_differently():
    result = plan({"a": host(max_deletions=10, api_url="https://a.example"),
                   "b": host(max_deletions=50, prune=True, api_url="https://b.example")})
    assert result["error"] == "" and [c["options"]["max_deletions"] for c in result["calls"]] == [10, 50]


def test_prune_on_hosts_with_state_absent_fails_naming_them():
    error = refusal({"north": host([{"username": "alice"}]),
                     "leavers": host([{"username": "carol"}], state="absent", prune=True)})
    assert error.startswith("ubidots_prune is true on leavers, whose ubidots_state is absent")


def test_a_user_present_on_one_host_and_absent_on_another_of_the_account_fails_naming_both_places(tmp_path):
    path = tmp_path / "shared/users.yml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump([{"username": "alice"}]))
    error = refusal({"north": host([{"username": "dave"}, {"id": "abc"}], directory=str(path.parent)),
                     "leavers": host([{"username": "carol"}, {"id": "abc"}], directory=str(path.parent), state="absent")})
    assert error == (
        "user id abc is listed with ubidots_state present (on north: in ubidots_users of north (item 2)) and absent"
        " (on leavers: in ubidots_users of leavers (item 2)); user username alice is listed with ubidots_state present"
        " (on north: in %s (item 1)) and absent (on leavers: in %s (item 1)), for the UBIDOTS_API_URL default: list"
        " each user on one side only (a host with ubidots_state: absent also gets the lists and directories of its"
        " groups: set them to [] and \"\" on it)." % (path, path))


def test_present_and_absent_on_two_urls_are_two_accounts_but_one_url_with_two_tokens_may_be_one():
    hosts = {"a": host([{"username": "alice"}], api_url="https://a.example"),
             "b": host([{"username": "alice"}], api_url="https://b.example", state="absent")}
    assert plan(hosts)["error"] == ""
    hosts["b"]["options"].update(ubidots_api_url="https://a.example", ubidots_api_token=TOKEN_B)
    assert "user username alice is listed with ubidots_state present (on a: in ubidots_users of a (item 1)) and absent" \
           " (on b: in ubidots_users of b (item 1)), for https://a.example with different tokens, which may be one" \
           " account" in refusal(hosts)


@pytest.mark.parametrize("north, south, where", [
    ({}, {"api_token": TOKEN_B}, "the UBIDOTS_API_URL default with different tokens, which may be one account"),
    ({"api_token": TOKEN_A}, {"api_token": TOKEN_B}, "the UBIDOTS_API_URL default with different tokens"),
    ({"api_url": "https://a.example"}, {}, "https://a.example and the UBIDOTS_API_URL default, which may be one account"),
])
def test_prune_where_two_calls_may_reach_one_account_fails_naming_both_sides(north, south, where):
    error = refusal({"north": host([{"username": "alice"}], prune=True, **north), "south": host([{"username": "bob"}], **south)})
    assert error.startswith("north and south reach %s" % where)
    assert "ubidots_prune on one would delete the users the other lists" in error


def test_two_calls_on_one_url_with_different_tokens_are_fine_without_prune():
    result = plan({"a": host([{"username": "alice"}], api_token=TOKEN_A), "b": host([{"username": "alice"}], api_token=TOKEN_B)})
    assert result["error"] == "" and len(result["calls"]) == 2


def test_prune_after_hosts_of_the_play_failed_is_refused_naming_them():
    hosts = {"north": host([{"username": "alice"}], prune=True)}
    assert refusal(hosts, failed=["south"]) == ("ubidots_prune would delete the users of hosts that failed earlier in the"
                                                " play (south): fix them and run again.")
    hosts["north"]["options"]["ubidots_prune"] = False
    assert plan(hosts, failed=["south"])["error"] == ""


def test_prune_with_hosts_outside_the_play_that_declare_users_is_refused_naming_them_and_the_limit():
    hosts = {"north": host([{"username": "alice"}], prune=True)}
    outside = {"south": [[{"username": "bob"}], ""], "west": [[], ""], "east": [[], "/state/east"]}
    assert refusal(hosts, outside=outside, limit="north") == (
        "ubidots_prune would delete the users that hosts outside this play declare (south, east), as the play runs with"
        " --limit north: run it without --limit (or with one that takes in every host that declares users), or without"
        " ubidots_prune.")
    assert refusal(hosts, outside=outside).endswith(
        "declare (south, east): run it on every host that declares users (the group that holds them, or all), or without"
        " ubidots_prune.")
    hosts["north"]["options"]["ubidots_prune"] = False
    assert plan(hosts, outside=outside, limit="north")["error"] == ""


def test_a_host_outside_the_play_that_holds_only_what_a_pruning_host_holds_does_not_count(tmp_path):
    # Group or extra variables give every host the same list or directory: pruning loses nothing of theirs.
    hosts = {"north": host([{"username": "alice"}], directory=str(tmp_path), prune=True)}
    result = plan(hosts, outside={"south": [[{"username": "alice"}], str(tmp_path)], "east": [[], str(tmp_path)]})
    assert result["error"] == ""


def test_duplicates_within_one_call_and_hosts_that_did_not_note_their_state_fail_as_before():
    assert refusal({"a": host([{"username": "alice"}]), "b": host([{"username": "alice", "lastName": "B"}])}).startswith(
        "user username alice is defined twice: in ubidots_users of a (item 1) and in ubidots_users of b (item 1)")
    assert refusal({"a": host([{"username": "alice"}]), "b": False}).startswith("the desired users of b were not gathered")


def test_a_wrong_kind_raises():
    with pytest.raises(AnsibleFilterError, match="kind must be users or organizations"):
        bulk_calls({}, "devices")


def test_a_leavers_host_may_not_protect_less_than_the_hosts_that_list_the_account():
    error = refusal({"north": host([{"username": "alice"}], protected=["admin"]),
                     "leavers": host([{"username": "admin"}], state="absent")})
    assert error.startswith("ubidots_protected differs between hosts of one account (the UBIDOTS_API_URL default,"
                            " states present and absent): [\"admin\"] on north; [] on leavers."), error


def test_one_url_written_two_ways_is_one_account():
    result = plan({"a": host([{"username": "alice"}], api_url="https://Industrial.api.ubidots.com:443/"),
                   "b": host([{"username": "bob"}], api_url="https://industrial.api.ubidots.com")})
    assert result["error"] == "" and len(result["calls"]) == 1 and result["calls"][0]["hosts"] == ["a", "b"]


def test_a_user_and_password_in_the_url_are_never_shown():
    result = plan({"a": host([{"username": "alice"}], api_url="https://me:s3cret@ubidots.example.com/api")})
    assert "s3cret" not in json.dumps(result["calls"][0]["label"]) + json.dumps(result["calls"][0]["about"])


def test_a_host_outside_the_play_whose_state_cannot_be_read_there_counts_as_declaring_it():
    hosts = {"north": host([{"username": "alice"}], prune=True)}
    for unreadable in ("(unresolved)", "{{ state_root }}/south"):
        outside = {"south": [[], unreadable, ["ubidots_users_dir"]]}
        assert "hosts outside this play declare (south)" in refusal(hosts, outside=outside)
    # Defined as empty (a leavers host told to hold no directory) is no desired state.
    assert plan(hosts, outside={"south": [[], "", ["ubidots_users_dir"]]})["error"] == ""
