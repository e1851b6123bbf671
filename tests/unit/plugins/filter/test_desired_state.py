# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The desired_state filter: what the roles merge, and how a mistake in the data is named."""

from __future__ import annotations

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.ubidots.industrial.plugins.filter.desired_state import desired_state


def write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content))
    return path


def merge(kind, hosts):
    return desired_state([], kind, hosts=hosts, inline_name="ubidots_" + kind, dir_name="ubidots_%s_dir" % kind)


@pytest.mark.parametrize("kind, key, value", [("users", "username", ["alice"]), ("users", "username", {"a": 1}),
                                              ("organizations", "label", {"name": "org1"}), ("users", "id", [1])])
def test_a_list_or_dict_as_identity_is_left_to_the_module_instead_of_crashing(kind, key, value):
    items = [{key: value}, {key: value}]
    assert desired_state([], kind, inline=items) == items


def test_every_hosts_list_and_directory_are_merged_in_host_order(tmp_path):
    write(tmp_path / "south/b.yml", {"username": "bob"})
    write(tmp_path / "south/nested/c.yaml", [{"username": "carol"}])
    merged = merge("users", {"north": {"list": [{"username": "alice"}], "dir": ""},
                             "south": {"list": [], "dir": str(tmp_path / "south")}})
    assert [u["username"] for u in merged] == ["alice", "bob", "carol"]


def test_a_list_or_file_several_hosts_share_counts_once(tmp_path):
    write(tmp_path / "shared/org2.yml", {"label": "org2"})
    shared = {"list": [{"label": "org1"}], "dir": str(tmp_path / "shared")}
    also = {"list": [{"label": "org1"}], "dir": str(tmp_path)}  # the same list; a directory holding the same file
    assert [o["label"] for o in merge("organizations", {"a": shared, "b": dict(shared), "c": also})] == ["org1", "org2"]


def test_a_duplicate_across_hosts_names_both_hosts_and_items():
    with pytest.raises(AnsibleFilterError, match=r"^user username alice is defined twice: in ubidots_users of north"
                                                 r" \(item 1\) and in ubidots_users of south, east \(item 2\)$"):
        merge("users", {"north": {"list": [{"username": "alice"}]},
                        "south": {"list": [{"username": "bob"}, {"username": "alice", "lastName": "S"}]},
                        "east": {"list": [{"username": "bob"}, {"username": "alice", "lastName": "S"}]}})


def test_a_duplicate_id_between_a_list_and_a_file_names_the_file(tmp_path):
    path = write(tmp_path / "orgs/x.yml", [{"label": "x"}, {"id": "abc", "label": "y"}])
    with pytest.raises(AnsibleFilterError, match="organization id abc is defined twice: in ubidots_organizations of north"
                                                 r" \(item 1\) and in %s \(item 2\)" % path):
        merge("organizations", {"north": {"list": [{"id": "abc"}]}, "south": {"dir": str(path.parent)}})


def test_many_duplicates_are_counted_beyond_the_first_ten():
    users = [{"username": "u%d" % i} for i in range(12)]
    with pytest.raises(AnsibleFilterError) as failure:
        merge("users", {"north": {"list": users}, "south": {"list": users + [{"username": "extra"}]}})
    assert str(failure.value).count("is defined twice") == 10
    assert str(failure.value).endswith("; and 2 more")


def test_a_missing_directory_fails_naming_the_host_and_the_variable(tmp_path):
    with pytest.raises(AnsibleFilterError, match="ubidots_users_dir of south: %s is not a directory" % (tmp_path / "nope")):
        merge("users", {"north": {"list": []}, "south": {"dir": str(tmp_path / "nope")}})


def test_hidden_files_and_directories_are_skipped(tmp_path):
    write(tmp_path / "users/a.yml", {"username": "alice"})
    write(tmp_path / "users/.git/b.yml", {"username": "alice"})
    write(tmp_path / "users/.draft.yml", {"username": "alice"})
    assert merge("users", {"north": {"dir": str(tmp_path / "users")}}) == [{"username": "alice"}]


def test_a_host_that_did_not_gather_its_state_is_named():
    with pytest.raises(AnsibleFilterError, match="the desired users of south, east were not gathered"):
        merge("users", {"north": {"list": []}, "south": None, "east": False})


def test_an_unknown_kind_is_refused():
    with pytest.raises(AnsibleFilterError, match="kind must be users or organizations, got 'roles'"):
        desired_state([], "roles")
