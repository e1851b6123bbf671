# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the plan of a run (plan.json and plan.md) from the results of the collection's bulk modules."""

from __future__ import annotations

DOCUMENTATION = r"""
name: plan
type: notification
short_description: Write a reviewable plan file (JSON and Markdown) of every run of the bulk modules
version_added: 0.2.0
description:
  - For every task of M(ubidots.industrial.ubidots_users_bulk) and M(ubidots.industrial.ubidots_orgs_bulk), also
    those that the roles C(ubidots.industrial.users) and C(ubidots.industrial.organizations) run (one result per
    call of their loop), writes one pair of files per playbook run into O(plan_dir), at the end of the run.
  - C(plan.json) holds, per task and kind, every create, update, deactivation and delete with its id and name
    (username or label), the changed keys before and after (passwords masked, as in the modules' results), the
    counts, whether the run was in check mode, the collection's version and a digest of the plan (equal for a check
    run and the real run it previews). A failed task is recorded with its message and what it applied.
  - C(plan.md) is GitHub-flavoured Markdown for a pull-request comment - a table of counts per kind first, then the
    deletes by name, the deactivations, the creates, and the updates folded in C(<details>). It is at most
    O(markdown_limit) characters long; what does not fit is counted (C(and 9,412 more updates)), never cut in the
    middle of a line, and the deletes are the last thing left out. When no object fits, fewer notes are shown; the
    counts and the headings are always shown, even past a limit smaller than they are.
  - It works the same in check mode (what would change) and in a real run (what was applied), from
    C(ansible-playbook), C(ansible-runner) and AWX / Automation Platform (point O(plan_dir) at the artifacts).
  - It copies only what the modules return (C(changes), C(counts) and the id lists), never the task's
    arguments, so no token is written; every key that holds a secret is masked again.
  - The creates and updates past a task's C(changes_limit) (1,000 by default) are listed by id (a create by its
    name) without their keys, and plan.md says so; deletions and deactivations are always described by name.
  - Enable it with C(callbacks_enabled = ubidots.industrial.plan) in C(ansible.cfg) or
    E(ANSIBLE_CALLBACKS_ENABLED). Without O(plan_dir) it warns once and writes nothing.
requirements:
  - enabled in callbacks_enabled (ANSIBLE_CALLBACKS_ENABLED)
options:
  plan_dir:
    description:
      - Directory to write C(plan.json) and C(plan.md) into; created if missing. Files of an earlier run are replaced.
      - A relative path is relative to the directory C(ansible-playbook) runs in.
    type: path
    env:
      - name: UBIDOTS_PLAN_DIR
    ini:
      - section: callback_ubidots_plan
        key: plan_dir
  markdown_limit:
    description:
      - Most characters of C(plan.md); a GitHub comment holds 65,536. V(0) for no bound.
    type: int
    default: 60000
    env:
      - name: UBIDOTS_PLAN_MARKDOWN_LIMIT
    ini:
      - section: callback_ubidots_plan
        key: markdown_limit
author:
  - Ubidots Industrial collection maintainers (@ubidots)
"""

import datetime
import json
import os

from ansible import context
from ansible.plugins.callback import CallbackBase
from ansible_collections.ubidots.industrial.plugins.module_utils._plan_file import make_plan, module_name, render_markdown, task_entries

try:
    import yaml
except ImportError:  # pragma: no cover - ansible-core always ships with PyYAML
    yaml = None

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def collection_version():
    """The version of this collection: MANIFEST.json when installed, galaxy.yml in a checkout."""
    try:
        with open(os.path.join(COLLECTION_ROOT, "MANIFEST.json"), encoding="utf-8") as handle:
            return str(json.load(handle)["collection_info"]["version"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        with open(os.path.join(COLLECTION_ROOT, "galaxy.yml"), encoding="utf-8") as handle:
            return str(yaml.safe_load(handle)["version"])
    except (OSError, AttributeError, KeyError, TypeError, yaml.YAMLError):
        return "unknown"


def _plain(value):
    """The value as plain JSON types (ansible-core 2.19 and later hand results over with tagged values)."""
    return json.loads(json.dumps(value, default=str))


def _write(path, text):
    """Write `text` to `path` whole or not at all (a reader never sees half a file); readable by the owner only."""
    temporary = path + ".tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


class CallbackModule(CallbackBase):
    """Collects the bulk modules' results; writes plan.json and plan.md at the end of the playbook run."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "ubidots.industrial.plan"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = []
        self.problems = []
        self.playbook = None

    def v2_playbook_on_start(self, playbook):
        """Remember the playbook's name; say once that nothing is written without a directory."""
        self.playbook = os.path.basename(getattr(playbook, "_file_name", "") or "") or None
        if not self.get_option("plan_dir"):
            self._display.warning("ubidots.industrial.plan is enabled but UBIDOTS_PLAN_DIR (or plan_dir in the"
                                  " [callback_ubidots_plan] section of ansible.cfg) is not set: no plan file is written.")

    def _record(self, result, failed=False, ignore_errors=False):
        task = result._task  # pylint: disable=protected-access
        action = getattr(task, "resolved_action", None) or task.action
        host = result._host.get_name()  # pylint: disable=protected-access
        if module_name(action) is None:
            if failed and not ignore_errors:
                # Another task's message may hold anything: name the task and host only.
                self.problems.append("Task %s failed on %s: the run stopped there, so this plan may lack what came after."
                                     % (task.get_name(), host))
            return
        check_mode = task.check_mode if isinstance(task.check_mode, bool) else bool(context.CLIARGS.get("check"))
        self.entries += task_entries(_plain(result._result), task=task.get_name(), host=host,  # pylint: disable=protected-access
                                     action=action, check_mode=check_mode, failed=failed)

    def v2_runner_on_ok(self, result):
        """A bulk task's result (a loop's results come here once, all items together)."""
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        """A failed bulk task is in the plan with its message; another failed task is named."""
        self._record(result, failed=True, ignore_errors=ignore_errors)

    def v2_runner_on_unreachable(self, result):
        """A host that was not reached."""
        self.problems.append("Host %s was unreachable." % result._host.get_name())  # pylint: disable=protected-access

    def v2_playbook_on_stats(self, stats):
        """Write the plan of the whole run."""
        directory = self.get_option("plan_dir")
        if not directory:
            return
        generated = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        plan = make_plan(self.entries, version=collection_version(), playbook=self.playbook,
                         check_mode=bool(context.CLIARGS.get("check")), problems=self.problems, generated=generated)
        try:
            os.makedirs(directory, exist_ok=True)
            _write(os.path.join(directory, "plan.json"), json.dumps(plan, indent=2, ensure_ascii=False) + "\n")
            _write(os.path.join(directory, "plan.md"), render_markdown(plan, self.get_option("markdown_limit")))
        except OSError as exc:
            self._display.warning("ubidots.industrial.plan could not write the plan into %s: %s" % (directory, exc))
            return
        self._display.display("Plan written: %s and %s" % (os.path.join(directory, "plan.json"), os.path.join(directory, "plan.md")))
