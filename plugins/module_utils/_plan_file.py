# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan file of a run: plan.json and plan.md, built from what the bulk modules return.

Used by the callback ubidots.industrial.plan, which only hands over each bulk task's result. Nothing here
computes a plan: it copies the modules' own `changes`, `counts` and id lists (a reader of results, never a
second engine), masks every secret key again, and formats the pull-request comment within a bound.
Pure functions on plain values, unit-tested on their own.
"""

from __future__ import annotations

import hashlib
import html
import json
import re

from ansible_collections.ubidots.industrial.plugins.module_utils._resources import SECRET_KEYS
from ansible_collections.ubidots.industrial.plugins.module_utils._rules import MASK, WRITE_ONLY

FORMAT = 1
# GitHub refuses a comment over 65,536 characters; leave room for what a pipeline adds around it.
MARKDOWN_LIMIT = 60000
# A value in plan.md is cut after this many characters (plan.json has it whole), saying how many are left out.
VALUE_LIMIT = 300
# At most this many failures, notes or protected names are written into plan.md; plan.json has them all.
SHOWN = 20

# The bulk modules whose results make the plan: kind, noun, the key naming an object.
KINDS = {
    "ubidots_users_bulk": ("users", "user", "username"),
    "ubidots_orgs_bulk": ("organizations", "organization", "label"),
}
NOUNS = {kind: noun for kind, noun, _name in KINDS.values()}
KINDS_NAME_KEY = {kind: name_key for kind, _noun, name_key in KINDS.values()}
ACTIONS = ("create", "update", "deactivate", "delete")
# The module's counts key for each action (and for the objects already right).
COUNT_KEYS = {"create": "created", "update": "updated", "deactivate": "deactivated", "delete": "deleted", "unchanged": "unchanged"}
# Where the module lists every object of an action, also past changes_limit: (result key, by name or by id).
ID_LISTS = {"create": ("created", "name"), "update": ("changed_ids", "id"), "deactivate": ("deactivated", "id"),
            "delete": ("deleted_ids", "id")}
# Keys of a failed result that say what was applied and what was not (ids only).
FAILURE_KEYS = ("accepted_ids", "failed_ids", "unsent_ids", "pending_ids", "created", "would_delete", "would_deactivate")
# What the digest leaves out: how the run ran, not what it plans.
NOT_DIGESTED = ("check_mode",)


def module_name(action):
    """The bulk module an action names (FQCN, collections keyword or legacy name), or None."""
    short = str(action or "").rsplit(".", 1)[-1]
    return short if short in KINDS and (action == short or str(action).startswith("ubidots.industrial.")) else None


def masked(value):
    """`value` with every secret key's value replaced by the mask, at any depth (the modules' own words for a secret,
    the mask and "write-only", stay as they are)."""
    if isinstance(value, dict):
        return {key: (MASK if key in SECRET_KEYS and inner not in ("", None, MASK, WRITE_ONLY) else masked(inner))
                for key, inner in value.items()}
    if isinstance(value, list):
        return [masked(inner) for inner in value]
    return value


def _clip(text, limit):
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "... (%d more characters)" % (len(text) - limit)


def task_entries(result, task, host, action, check_mode, failed=False):
    """The plan entries of one task's result: one, or one per item of a loop (the roles' calls); skipped items none."""
    if isinstance(result.get("results"), list) and "changes" not in result:
        entries = []
        for item in result["results"]:
            if not isinstance(item, dict) or item.get("skipped"):
                continue
            entries.append(_entry(item, task, host, action, check_mode, bool(item.get("failed")),
                                  call=item.get("_ansible_item_label")))
        return entries
    return [_entry(result, task, host, action, check_mode, failed or bool(result.get("failed")))]


def _entry(result, task, host, action, check_mode, failed, call=None):  # pylint: disable=too-many-arguments
    kind, _noun, name_key = KINDS[module_name(action)]
    entry = {"task": str(task), "host": str(host), "kind": kind, "module": "ubidots.industrial." + module_name(action),
             "check_mode": bool(check_mode)}
    if call is not None:
        entry["call"] = str(call)
    if "censored" in result:
        entry.update(status="hidden", message="the task's result is hidden by no_log: its changes are not in this plan")
        return entry
    if failed:
        entry.update(status="failed", changed=bool(result.get("changed")), message=str(result.get("msg", "")),
                     errors=[str(error) for error in result.get("errors") or []])
        entry.update((key, masked(result[key])) for key in FAILURE_KEYS if key in result)
        if result.get("status") is not None:
            entry["http_status"] = result["status"]  # the answer that made it fail (the entry's status is "failed")
        return entry
    shown = [{"action": change.get("action"), "id": change.get("id"), "name": change.get(name_key),
              "before": masked(change.get("before")), "after": masked(change.get("after"))}
             for change in result.get("changes") or [] if isinstance(change, dict)]
    changes, without_detail = [], 0
    for verb in ACTIONS:
        of_verb = [change for change in shown if change["action"] == verb]
        key, by = ID_LISTS[verb]
        known = {change[by] for change in of_verb}
        rest = [value for value in result.get(key) or [] if value not in known]
        without_detail += len(rest)
        changes += of_verb + [{"action": verb, "id": None if by == "name" else value, "name": value if by == "name" else None,
                               "detail": False} for value in rest]
    counts = result.get("counts") or {}
    entry.update(status="ok", changed=bool(result.get("changed")),
                 counts={verb: int(counts.get(key, 0) or 0) for verb, key in COUNT_KEYS.items()},
                 changes=changes, without_detail=without_detail,
                 protected=[{"id": item.get("id"), "name": item.get(name_key)} for item in result.get("protected") or []
                            if isinstance(item, dict)],
                 warnings=[str(warning) for warning in result.get("warnings") or []])
    return entry


def digest(entries):
    """sha256 of what the plan says (not how the run ran): equal for a check run and the real run it previews."""
    body = [{key: value for key, value in entry.items() if key not in NOT_DIGESTED} for entry in entries]
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_plan(entries, version, playbook, check_mode=None, problems=(), generated=None):  # pylint: disable=too-many-arguments
    """plan.json: the entries of every bulk task, the counts per kind, and the digest.

    `problems`: what else went wrong in the run (a task of another module failed), as sentences without secrets.
    `check_mode`: the run's, when no entry says it (a run without bulk tasks).
    """
    entries = list(entries)
    counts = {}
    for entry in entries:
        if entry.get("status") == "ok":
            total = counts.setdefault(entry["kind"], dict.fromkeys(COUNT_KEYS, 0))
            for verb in COUNT_KEYS:
                total[verb] += entry["counts"][verb]
    if entries:
        check_mode = all(entry["check_mode"] for entry in entries)
    plan = {
        "format": FORMAT,
        "collection": "ubidots.industrial",
        "version": version,
        "playbook": playbook,
        "check_mode": bool(check_mode),
        "complete": all(entry.get("status") == "ok" for entry in entries) and not problems,
        "digest": digest(entries),
        "counts": counts,
        "problems": list(problems),
        "tasks": entries,
    }
    if generated:
        plan["generated"] = generated
    return plan


# --- plan.md -----------------------------------------------------------------------------------------------------------

_PUNCTUATION = re.compile(r"([\\`*_\[\]|<>~&])")


def _text(value):
    """Plain text for Markdown: one line, every character that Markdown or HTML reads escaped."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(value).split()))


def _code(value):
    """An inline code span holding `value` whatever backticks it contains."""
    text = " ".join(str(value).split()) or " "
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return fence + pad + text + pad + fence


def _json(value):
    return _clip(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str), VALUE_LIMIT)


def _number(count):
    return "{:,}".format(count)


def _plural(count, noun):
    return "%s %s" % (_number(count), noun if count == 1 else noun + "s")


def _who(change, noun, html_text=False):
    """How plan.md names an object: user `alice` (id `abc`), or in HTML (a <summary>): user <b>alice</b> <code>abc</code>."""
    name, obj_id = change.get("name"), change.get("id")
    if html_text:
        label = "%s <b>%s</b>" % (noun, html.escape(str(name))) if name is not None else noun
        return label + (" <code>%s</code>" % html.escape(str(obj_id)) if obj_id else "")
    label = "%s %s" % (noun, _code(name)) if name is not None else noun
    return label + (" (id %s)" % _code(obj_id) if obj_id else "")


def _where(entry, several):
    if entry["kind"] not in several:
        return ""
    return " · " + _text(entry.get("call") or "%s on %s" % (entry["task"], entry["host"]))


def _delete_line(entry, change, several):
    noun = NOUNS[entry["kind"]]
    line = "- " + _who(change, noun)
    if change.get("detail") is False and change.get("name") is None:
        line += " (its name is past the task's `changes_limit`: see the account)"
    return line + _where(entry, several)


def _deactivate_line(entry, change, several):
    return "- " + _who(change, NOUNS[entry["kind"]]) + " (isActive true → false)" + _where(entry, several)


def _create_line(entry, change, several):
    line = "- " + _who(change, NOUNS[entry["kind"]])
    after = change.get("after")
    if isinstance(after, dict):
        shown = [(key, value) for key, value in sorted(after.items()) if key != KINDS_NAME_KEY.get(entry["kind"])]
        if shown:
            line += ": " + ", ".join("%s %s" % (_text(key), _code(_clip(json.dumps(value, ensure_ascii=False, default=str), 80)))
                                     for key, value in shown)
    return line + _where(entry, several)


def _update_block(entry, change, several):
    noun = NOUNS[entry["kind"]]
    before = change.get("before") if isinstance(change.get("before"), dict) else {}
    after = change.get("after") if isinstance(change.get("after"), dict) else {}
    keys = sorted(set(before) | set(after))
    where = html.escape(" · " + (entry.get("call") or "%s on %s" % (entry["task"], entry["host"]))) if entry["kind"] in several else ""
    if change.get("detail") is False:
        return "- " + _who(change, noun) + " (its keys are past the task's `changes_limit`)" + _where(entry, several)
    lines = []
    for key in keys:  # each key's old value, then its new one
        lines += ["- %s: %s" % (key, _json(before[key]))] if key in before else []
        lines += ["+ %s: %s" % (key, _json(after[key]))] if key in after else []
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    summary = "%s: %s" % (_who(change, noun, html_text=True), html.escape(", ".join(keys)))
    return "\n".join(["<details><summary>%s%s</summary>" % (summary, where), "", fence + "diff"] + lines + [fence, "", "</details>"])


SECTIONS = (  # (action, heading, render) in the order plan.md shows them; also the order they keep their place
    ("delete", "Deletes: cannot be undone", _delete_line),
    ("deactivate", "Deactivations", _deactivate_line),
    ("create", "Creates", _create_line),
    ("update", "Updates", _update_block),
)


def _more(count, action):
    noun = {"delete": "delete", "deactivate": "deactivation", "create": "create", "update": "update"}[action]
    return "_… and %s more %s (every one is in plan.json)._" % (_number(count), noun if count == 1 else noun + "s")


def _table(plan):
    counts = plan["counts"]
    verbs = ["create", "update"] + (["deactivate"] if any(c["deactivate"] for c in counts.values()) else []) + ["delete", "unchanged"]
    lines = ["| Kind | %s |" % " | ".join(verb.capitalize() for verb in verbs), "|---|%s" % ("---:|" * len(verbs))]
    for kind in ("organizations", "users"):
        if kind in counts:
            cells = [_number(counts[kind][verb]) for verb in verbs]
            lines.append("| %s | %s |" % (kind, " | ".join(cells)))
    return lines


def _head(plan, notes=SHOWN):
    lines = ["## Ubidots plan" + (" (check mode)" if plan["check_mode"] else " (applied)"), ""]
    if plan["counts"]:
        lines += _table(plan) + [""]
    removed = [(verb, _plural(c[verb], NOUNS[kind])) for kind, c in sorted(plan["counts"].items()) for verb in ("delete", "deactivate")
               if c[verb]]
    if removed:
        lines += ["**This plan %s.**" % "; ".join("%ss %s" % (verb, text) for verb, text in removed)
                  + (" Deletes cannot be undone." if any(verb == "delete" for verb, _words in removed) else ""), ""]
    if plan["check_mode"]:
        lines.append("Check mode: nothing was written. This is what a real run would change.")
    else:
        lines.append("Applied: a real run made these changes.")
    about = (_code(plan.get("playbook") or "playbook"), _text(plan.get("version")), _code(plan["digest"][:23]))
    lines += ["", "%s · ubidots.industrial %s · digest %s" % about]
    changes = sum(c[verb] for c in plan["counts"].values() for verb in ACTIONS)
    if plan["counts"] and not changes:
        unchanged = ", ".join(_plural(c["unchanged"], NOUNS[kind]) for kind, c in sorted(plan["counts"].items()))
        lines += ["", "**No change**: %s already as described." % unchanged]
    if not plan["tasks"]:
        lines += ["", "No bulk task of ubidots.industrial ran in this playbook: there is no change to show."]
    return lines + _notes(plan, notes)


def _notes(plan, shown=SHOWN):
    """What makes the plan incomplete or needs a reviewer's eye: failures, hidden results, objects kept, warnings;
    the first `shown` of them, and how many more."""
    notes = []
    for entry in plan["tasks"]:
        where = "task %s on %s%s" % (_code(entry["task"]), _text(entry["host"]), " (%s)" % _text(entry["call"]) if entry.get("call") else "")
        if entry["status"] == "failed":
            notes.append("- **Failed**: %s: %s" % (where, _code(_clip(entry.get("message", ""), VALUE_LIMIT))))
        elif entry["status"] == "hidden":
            notes.append("- **Not shown**: %s: its result is hidden by `no_log`, so its changes are not in this plan." % where)
        else:
            if entry.get("without_detail"):
                notes.append("- %s: %s past the module's `changes_limit` are listed by id or name only." % (
                    where, _plural(entry["without_detail"], "change")))
            if entry.get("protected"):
                names = [str(p.get("name") or p.get("id")) for p in entry["protected"]]
                notes.append("- %s: kept by protected: %s%s" % (where, ", ".join(_code(n) for n in names[:SHOWN]),
                                                                " and %s more" % _number(len(names) - SHOWN) if len(names) > SHOWN else ""))
            notes += ["- Warning from %s: %s" % (where, _text(_clip(w, VALUE_LIMIT))) for w in entry.get("warnings") or []]
    notes += ["- %s" % _text(_clip(problem, VALUE_LIMIT)) for problem in plan.get("problems") or []]
    if not notes:
        return []
    head = "**The run did not complete: this plan may be partial.**" if not plan["complete"] else "**Notes**"
    lines = notes[:shown]
    if len(notes) > shown:
        lines.append("- _… and %s more notes (every one is in plan.json)._" % _number(len(notes) - shown))
    return ["", head, ""] + lines


def render_markdown(plan, limit=MARKDOWN_LIMIT):
    """plan.md: the counts table, then deletes, deactivations, creates and updates (folded), within `limit` characters.

    What does not fit is counted ("and 9,412 more updates"), never cut mid-line; the deletes are the last thing dropped.
    `limit` 0: no bound. When no object fits and the notes above the sections are still too long (a small limit),
    fewer notes are shown; the headings, the counts and the "and N more" lines are always shown.
    """
    slack, notes = 0, SHOWN
    while True:
        text = _render(plan, limit, slack, notes)
        if not limit or len(text) <= limit:
            return text
        if slack <= limit:
            slack += 1000  # the reserve was short (it is not): keep fewer objects, never a part of one
        elif notes:
            notes -= 1  # no object fits: fewer notes
        else:
            return text  # the headings and counts alone are longer than the limit: they are always shown


def _render(plan, limit, slack, notes=SHOWN):
    # Where each object's change comes from is said only when several calls (hosts, or the roles' accounts and states)
    # change one kind: the same name may then be in two accounts.
    calls = {}
    for entry in plan["tasks"]:
        if entry.get("status") == "ok":
            calls.setdefault(entry["kind"], set()).add((entry["host"], entry.get("call")))
    several = {kind for kind, found in calls.items() if len(found) > 1}
    sections = []
    for action, heading, render in SECTIONS:
        units = [render(entry, change, several) for entry in plan["tasks"] if entry.get("status") == "ok"
                 for change in entry["changes"] if change["action"] == action]
        if units:
            sections.append((action, "### %s (%s)" % (heading, _number(len(units))), units))
    head = "\n".join(_head(plan, notes)) + "\n"
    budget = (limit or float("inf")) - len(head) - slack
    budget -= sum(len(heading) + len(_more(len(units), action)) + 6 for action, heading, units in sections)
    kept = {}
    for action, _heading, units in sections:  # in the order of SECTIONS: deletes keep their place first
        taken = 0
        for unit in units:
            if len(unit) + 2 > budget:
                break
            budget -= len(unit) + 2
            taken += 1
        kept[action] = taken
    parts = [head]
    for action, heading, units in sections:
        lines = [heading, ""] + [unit + ("\n" if unit.endswith("</details>") else "") for unit in units[:kept[action]]]
        if kept[action] < len(units):
            lines += ([""] if kept[action] else []) + [_more(len(units) - kept[action], action)]
        parts.append("\n" + "\n".join(lines).rstrip("\n") + "\n")
    return "".join(parts)
