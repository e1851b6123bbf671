#!/usr/bin/env python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mutation testing of plugins/module_utils/ with mutmut (`make mutants`, `nox -s mutants`).

    scripts/mutants.py [FILE ...]          mutate these module_utils files (default: all of them)
    scripts/mutants.py --show NAME         the diff of one mutant of the last run
    scripts/mutants.py --report            the per-file table of the last run again
    scripts/mutants.py --check PATTERN ... [--tests TEST ...]
                                           apply each open survivor whose name matches a PATTERN (fnmatch,
                                           e.g. '*_apply.x__check_once*') to a scratch copy, one at a time,
                                           and run the tests against it: which ones they kill now
    scripts/mutants.py --stamp [REVISION]  write into scripts/mutants-equivalent.txt the hash of the code
                                           triaged on (plugins/module_utils of the work tree, or of a git
                                           REVISION) where a line has none yet

FILE is `plugins/module_utils/_rules.py`, `_rules.py` or `_rules`. Environment: MUTANTS_JOBS (parallel
mutants, default 2), MUTANTS_TESTS (test directories, default `tests/unit`: the fast engine tests), MUTANTS_SLOW
(seconds, default 1: a mutant is not tested with tests slower than this in the clean run, those that wait for
the emulator's asynchronous apply or sleep; 0 runs them all), MUTANTS_BUDGET (seconds, default none: then mutmut
is stopped and what it did not test yet is reported as not checked), MUTANTS_RECHECK (1: test the listed equivalents
again even when plugins/module_utils is unchanged since their triage).

Not part of `make test`. The work tree is never touched: the collection is exported (scripts/export-tree.sh,
what git would commit) to .build/mutants/stage/ansible_collections/ubidots/industrial/, and mutmut works in
.build/mutants/stage/, writing its mutated copy under mutants/ there. The copy keeps the
`ansible_collections/ubidots/industrial/` path, for two reasons: mutmut names a mutant by the file's path, and
it switches a mutant on by comparing that name with the running function's `__module__`, which is
`ansible_collections.ubidots.industrial.plugins.module_utils...`; and tests/conftest.py, finding the copy under
a directory named `ansible_collections`, puts that directory, and no other collection root, on sys.path. Nothing
else on sys.path holds `ansible_collections/ubidots/industrial` (no PYTHONPATH, no .build/collections), so the
namespace package can only resolve to the mutated copy. mutmut proves it before every run ("forced fail": with
every mutated function made to raise, the tests must fail), and this script proves it once more with an obvious
mutant of its own (`_self_check`).

Surviving mutants that no user could tell from the original are listed, one line each with the reason, in
scripts/mutants-equivalent.txt; the table counts them apart.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv-mutants"
REQUIREMENTS = "scripts/requirements-mutants.txt"
CONSTRAINTS = "scripts/constraints-mutants.txt"
WORK = ROOT / ".build" / "mutants"
STAGE = WORK / "stage"
COLLECTION = Path("ansible_collections/ubidots/industrial")
SOURCE = COLLECTION / "plugins" / "module_utils"
EQUIVALENT = ROOT / "scripts" / "mutants-equivalent.txt"
# Survivors neither killed nor equivalent, one line each with the reason (what a test would need).
OPEN = ROOT / "scripts" / "mutants-open.txt"
HASH = re.compile("[0-9a-f]{12}")
# Each file's results of its last run (mutmut's .meta) and the diff of each survivor, kept across runs: a run
# limited to some files replaces only theirs, and the table is that of every file's last run.
RESULTS = ROOT / ".build" / "mutants-results"
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
          36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout"}
# A pytest plugin loaded in every test run of mutmut: a basetemp of its own per process (two mutants tested at
# once never share tmp_path), removed afterwards; and modules run as in their own process (see its docstring).
BASETEMP_PLUGIN = '''"""Written by scripts/mutants.py, loaded in every pytest run of mutmut (each mutant runs in a process forked
for it): a basetemp per process, modules run by run_module outside ansible-core's controller mode, and for a
mutant the fastest tests first, without the slowest, each stopped when it runs far longer than in the clean run."""
import json
import os
import shutil
import sys
import threading


def pytest_configure(config):
    if not config.option.basetemp:
        os.makedirs(os.environ["MUTANTS_BASETEMP"], exist_ok=True)
        config.option.basetemp = os.path.join(os.environ["MUTANTS_BASETEMP"], "p%d" % os.getpid())


def pytest_unconfigure(config):
    shutil.rmtree(config.option.basetemp, ignore_errors=True)


_DURATIONS = {}


def _durations():
    """Each test's time in mutmut's clean run (mutants/mutmut-stats.json), read once per process."""
    if not _DURATIONS:
        try:
            with open("mutmut-stats.json", encoding="utf-8") as handle:
                _DURATIONS.update(json.load(handle)["duration_by_test"])
        except (OSError, ValueError, KeyError):
            _DURATIONS["-"] = 0
    return _DURATIONS


def _killers(function):
    """({test: kills} of mutants of `function`, {test: kills} of any mutant) from $MUTANTS_BASETEMP/killers.txt."""
    mine, anyone = {}, {}
    try:
        with open(os.path.join(os.environ["MUTANTS_BASETEMP"], "killers.txt"), encoding="utf-8") as handle:
            for line in handle:
                name, _, test = line.rstrip("\\n").partition(" ")
                anyone[test] = anyone.get(test, 0) + 1
                if name == function:
                    mine[test] = mine.get(test, 0) + 1
    except OSError:
        pass
    return mine, anyone


_SKIPPED = set()


def _skipped():
    """The listed equivalents not tested again ($MUTANTS_SKIP, written by scripts/mutants.py), read once."""
    if not _SKIPPED:
        _SKIPPED.add("-")
        try:
            with open(os.environ.get("MUTANTS_SKIP") or os.devnull, encoding="utf-8") as handle:
                _SKIPPED.update(line.strip() for line in handle)
        except OSError:
            pass
    return _SKIPPED


def _function():
    """The function of the mutant under test (its name without the mutant's number), or None outside a mutant."""
    name = os.environ.get("MUTANT_UNDER_TEST", "")
    return name.rsplit("__mutmut_", 1)[0] if "__mutmut_" in name else None


def pytest_collection_modifyitems(config, items):
    """For a mutant (not mutmut's stats, clean and forced-fail runs): no test at all when it is a listed equivalent
    triaged on the unchanged plugins/module_utils (pytest exits 5, "no tests": counted as equivalent); otherwise
    first the tests that killed other mutants of
    the same function, then those that killed any, then the fastest (mutmut stops at the first failure); and none
    slower than $MUTANTS_SLOW seconds (tests that wait for the emulator's asynchronous apply; 0 keeps them all)."""
    function = _function()
    if function is None:
        return
    if os.environ["MUTANT_UNDER_TEST"] in _skipped():
        config.hook.pytest_deselected(items=list(items))
        items[:] = []
        return
    durations = _durations()
    limit = float(os.environ.get("MUTANTS_SLOW") or 0)
    if limit:
        slow = [item for item in items if durations.get(item.nodeid, 0) > limit]
        if slow:
            config.hook.pytest_deselected(items=slow)
            items[:] = [item for item in items if durations.get(item.nodeid, 0) <= limit]
    mine, anyone = _killers(function)
    items.sort(key=lambda item: (-mine.get(item.nodeid, 0), -anyone.get(item.nodeid, 0), durations.get(item.nodeid, 0)))


_TIMERS = []


def pytest_runtest_logstart(nodeid):
    """For a mutant: stop the process when one test runs 5 s plus 5 times its time in the clean run (a wait loop
    or a retry made endless), with exit status 36, mutmut's "timeout" (caught). mutmut's own bound, 4 times the
    time of all the tests that reach the function plus 4 s, cost such a mutant 25 to 45 s."""
    if _function() is not None:
        timer = threading.Timer(5 + 5 * _durations().get(nodeid, 1.0), os._exit, (36,))
        timer.daemon = True
        timer.start()
        _TIMERS.append(timer)


def pytest_runtest_logfinish():
    while _TIMERS:
        _TIMERS.pop().cancel()


def pytest_runtest_logreport(report):
    """Remember which test killed a mutant of which function, for the order of the next mutants."""
    function = _function()
    if function is not None and report.failed:
        with open(os.path.join(os.environ["MUTANTS_BASETEMP"], "killers.txt"), "a", encoding="utf-8") as handle:
            handle.write("%s %s\\n" % (function, report.nodeid))


def _virtual_rate_limiter():
    """A RateLimiter of the collection that waits in virtual time: its clock is the real one plus every pause it
    took, and a pause only moves that clock on. It makes the same decisions (the same requests, in the same order,
    the same pauses asked for) without the real 0.25 s between requests at the default 4 per second, which is most
    of an engine test's time. Only when the module gave it the real clock and sleep (a test's own stay)."""
    import time
    from ansible_collections.ubidots.industrial.plugins.module_utils import _ratelimit
    original = _ratelimit.RateLimiter.__init__
    offset = [0.0]

    def clock():
        return time.monotonic() + offset[0]

    def sleep(seconds):
        offset[0] += max(seconds, 0.0)

    def init(self, rate, clock_=time.monotonic, sleep_=time.sleep, **kwargs):
        clock_ = kwargs.pop("clock", clock_)
        sleep_ = kwargs.pop("sleep", sleep_)
        original(self, rate, clock=clock if clock_ is time.monotonic else clock_,
                 sleep=sleep if sleep_ is time.sleep else sleep_)

    return _ratelimit.RateLimiter, original, init


def pytest_collection_finish(session):
    """mutmut runs every test in one process, without xdist. Once a test has imported a controller module
    (a filter or callback plugin imports ansible.errors), ansible-core flips module_utils._internal.is_controller
    and a module's warnings go to the screen instead of its result. A real module runs in its own process,
    where that flag is false: ubidots_testing._call_main is run with it false, and with the virtual rate limiter."""
    testing = sys.modules.get("ubidots_testing")
    if testing is None or getattr(testing._call_main, "mutants_wrapped", False):
        return
    original_call = testing._call_main

    def call_main(*args, **kwargs):
        from ansible.module_utils import _internal
        limiter, original_init, virtual_init = _virtual_rate_limiter()
        saved, _internal.is_controller = _internal.is_controller, False
        limiter.__init__ = virtual_init
        try:
            return original_call(*args, **kwargs)
        finally:
            _internal.is_controller = saved
            limiter.__init__ = original_init

    call_main.mutants_wrapped = True
    testing._call_main = call_main
'''


def ensure_venv():
    """Build .venv-mutants with scripts/venv.sh when its stamp (a hash of the pins and the Python) is missing."""
    python = os.environ.get("PYTHON", "python3")
    digest = subprocess.run([python, "scripts/deps_hash.py", REQUIREMENTS, CONSTRAINTS], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()
    stamp = VENV / (".installed-" + digest)
    if not stamp.exists():
        subprocess.run(["scripts/venv.sh", str(VENV), str(stamp), REQUIREMENTS, CONSTRAINTS], cwd=ROOT, check=True)


def module_utils_files(names):
    """The module_utils files to mutate, as paths relative to the collection root."""
    available = sorted(p.name for p in (ROOT / "plugins" / "module_utils").glob("_*.py"))
    if not names:
        return ["plugins/module_utils/" + n for n in available]
    chosen = []
    for name in names:
        base = Path(name).name
        base = base if base.endswith(".py") else base + ".py"
        if base not in available:
            sys.exit("mutants: %s is not a file of plugins/module_utils/ (%s)" % (name, ", ".join(available)))
        chosen.append("plugins/module_utils/" + base)
    return chosen


def write_config(files, tests):
    """pyproject.toml of the stage: mutmut's configuration for this run."""
    collection = STAGE / COLLECTION
    also = [str(COLLECTION / p.name) for p in sorted(collection.iterdir()) if p.name != "plugins"]
    also += [str(COLLECTION / "plugins" / p.name) for p in sorted((collection / "plugins").iterdir())
             if p.name != "module_utils"]
    also.append("mutants_basetemp.py")
    config = {
        "source_paths": [str(SOURCE)],
        "only_mutate": [str(COLLECTION / f) for f in files],
        "also_copy": also,
        "pytest_add_cli_args_test_selection": [str(COLLECTION / t) for t in tests],
        # Tests marked `waits` (tests/conftest.py) wait in real time: left out of every run, the first one too, so
        # that mutmut neither runs them nor counts their time in a mutant's timeout.
        "pytest_add_cli_args": ["-p", "mutants_basetemp", "-p", "no:cacheprovider", "-p", "no:xdist",
                                "-W", "ignore::DeprecationWarning", "-m", "not waits"],
        # mutmut stops a mutant after 4 times (what its tests took in the clean run plus 1 s) instead of its default 15
        # times; it counts as timed out (caught). The plugin stops one looping test sooner (pytest_runtest_logstart).
        "timeout_multiplier": 4.0,
        "use_git_change_detection": False,
        "track_dependencies": False,
    }
    lines = ["[tool.mutmut]"] + ["%s = %s" % (k, json.dumps(v)) for k, v in config.items()]
    (STAGE / "pyproject.toml").write_text("\n".join(lines) + "\n")
    (STAGE / "mutants_basetemp.py").write_text(BASETEMP_PLUGIN)


def stage(files, tests):
    """A fresh export of the work tree under .build/mutants/stage/ansible_collections/ubidots/industrial."""
    shutil.rmtree(WORK, ignore_errors=True)
    (STAGE / COLLECTION).mkdir(parents=True)
    subprocess.run(["scripts/export-tree.sh", str(STAGE / COLLECTION)], cwd=ROOT, check=True)
    # mutants/ is on PYTHONPATH (mutmut_env): it must exist when Python starts, or the import system remembers
    # it as missing and mutmut's own sys.path entry for it finds nothing either.
    (STAGE / "mutants").mkdir()
    write_config(files, tests)
    skip = set() if os.environ.get("MUTANTS_RECHECK") == "1" else unchanged_equivalents(STAGE / COLLECTION)
    (WORK / "skip.txt").write_text("".join(name + "\n" for name in sorted(skip)))
    return skip


def mutmut_env():
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ANSIBLE_COLLECTIONS_PATH")}
    env["MUTANTS_BASETEMP"] = str(WORK / "tmp")
    env["MUTANTS_SLOW"] = os.environ.get("MUTANTS_SLOW", "1")
    env["MUTANTS_SKIP"] = str(WORK / "skip.txt")
    # A test that runs Python in a subprocess imports the collection from the mutated copy too.
    env["PYTHONPATH"] = str(STAGE / "mutants")
    env["ANSIBLE_HOME"] = str(WORK / "ansible-home")
    env["PATH"] = str(VENV / "bin") + os.pathsep + env.get("PATH", "")
    return env


def _pytest(cwd, tests, basetemp, timeout=None):
    """pytest as mutmut runs it (same plugin, no xdist), in `cwd`: (exit code, output); exit code None when it was
    stopped after `timeout` seconds."""
    env = mutmut_env()
    env["MUTANTS_BASETEMP"] = str(basetemp)
    env["PYTHONPATH"] = str(cwd)
    try:
        run = subprocess.run([str(VENV / "bin" / "python"), "-m", "pytest", "-q", "-x", "-p", "mutants_basetemp",
                              "-p", "no:cacheprovider", "-p", "no:xdist", "-rf"] + tests,
                             cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, ""
    return run.returncode, run.stdout + run.stderr


def _self_check(tests):
    """One obvious mutant of our own, made by hand in a scratch copy of the stage: the HTTP session of _http.py
    sends nothing (every request raises). The engine tests, run against it the way mutmut runs them (same layout, conftest and plugin), must
    fail, and the first test that fails must pass on the unmutated stage; otherwise the tests import some other
    copy of the collection and every score is a lie."""
    scratch = WORK / "self-check"
    shutil.copytree(STAGE, scratch, symlinks=True)
    target = scratch / SOURCE / "_http.py"
    text = target.read_text()
    marker = "    def send(self, method, url, shown, params=None, data=None, headers=None):\n"
    if marker not in text:
        sys.exit("mutants: self-check: _http's send changed; update _self_check in scripts/mutants.py")
    target.write_text(text.replace(marker, marker + "        raise RuntimeError('self-check mutant')\n", 1))
    tests = [str(COLLECTION / t) for t in tests]
    code, output = _pytest(scratch, tests, WORK / "tmp-self-check")
    shutil.rmtree(scratch, ignore_errors=True)
    failed = [line.split()[1] for line in output.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    if code != 1 or not failed:
        print(output[-3000:])
        sys.exit("mutants: self-check failed: with _http's send raising the tests did not fail (exit %d): they do not "
                 "import the staged copy" % code)
    first = failed[0].split(" - ")[0]
    code, output = _pytest(STAGE, [first], WORK / "tmp-self-check")
    if code != 0:
        print(output[-3000:])
        sys.exit("mutants: self-check failed: %s fails on the unmutated copy too" % first)
    print("mutants: self-check: an obvious mutant made by hand (_http's send raises) is killed by " + first)


def _listed(path):
    """{mutant name: (function hash or None, reason)} from a list (`name [hash] reason`, # comments)."""
    known = {}
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                name, rest = (line.split(None, 1) + [""])[:2]
                digest, _space, reason = rest.partition(" ")
                if not HASH.fullmatch(digest):
                    digest, reason = None, rest
                known[name] = (digest, reason.strip())
    return known


def equivalents(path=EQUIVALENT):
    """{mutant name: reason} from scripts/mutants-equivalent.txt, or another such list."""
    return {name: reason for name, (_digest, reason) in _listed(path).items()}


def _function_key(mutant):
    """(module file name, function key) of a mutant: ('_read.py', 'x_find') or ('_retry.py', 'xǁOutcomeǁdelay')."""
    path, key = mutant.split(".plugins.module_utils.", 1)[1].rsplit("__mutmut_", 1)[0].split(".", 1)
    return path + ".py", key


def tree_hash(revision=None, root=None):
    """What a listed equivalent was triaged on: the first 12 hex digits of the SHA-256 of mutmut's pin and of every
    file of plugins/module_utils (names and contents), at a git `revision`, or in the collection at `root` (default:
    the work tree). Any change to those files, a comment too, or to mutmut's version changes it."""
    import hashlib  # pylint: disable=import-outside-toplevel
    folder = "plugins/module_utils"
    if revision:
        def read(path):
            return subprocess.run(["git", "show", "%s:%s" % (revision, path)], cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout
        names = subprocess.run(["git", "ls-tree", "--name-only", revision, folder + "/"], cwd=ROOT, check=True,
                               capture_output=True, text=True).stdout.split()
        names = sorted(Path(n).name for n in names if n.endswith(".py"))
    else:
        base = root or ROOT

        def read(path):
            return (base / path).read_text() if path.startswith(folder) else (ROOT / path).read_text()
        names = sorted(p.name for p in (base / folder).glob("*.py"))
    digest = hashlib.sha256()
    digest.update("\n".join(line for line in read(CONSTRAINTS).splitlines() if line.startswith("mutmut==")).encode())
    for name in names:
        digest.update(("\0%s\0%s" % (name, read("%s/%s" % (folder, name)))).encode())
    return digest.hexdigest()[:12]


def unchanged_equivalents(root):
    """The listed equivalents triaged on the plugins/module_utils of the collection at `root` (the hash on their
    line is its tree_hash): a run does not test them again (MUTANTS_RECHECK=1 does)."""
    current = tree_hash(root=root)
    return {name for name, (digest, _reason) in _listed(EQUIVALENT).items() if digest == current}


def stamp(revision):
    """Write the tree_hash of `revision` (git) or of the work tree into each line of scripts/mutants-equivalent.txt
    that has none yet: the code the mutant was triaged on."""
    digest, lines, stamped = tree_hash(revision), [], 0
    for line in EQUIVALENT.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, rest = (line.split(None, 1) + [""])[:2]
            if not HASH.fullmatch(rest.partition(" ")[0]):
                line = "%s %s %s" % (name, digest, rest)
                stamped += 1
        lines.append(line)
    EQUIVALENT.write_text("\n".join(lines) + "\n")
    print("mutants: %d listed equivalents stamped with the hash of plugins/module_utils at %s"
          % (stamped, revision or "the work tree"))


DIFFS = '''
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
out = {}
for name, path in json.load(sys.stdin):
    try:
        out[name] = get_diff_for_mutant(name, path=path)
    except Exception as exc:  # a diff is a help, not a result
        out[name] = "(no diff: %s)" % exc
json.dump(out, sys.stdout)
'''


def keep_results(files):
    """Copy this run's .meta files to RESULTS, with the diff of every mutant that was not killed."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    for relative in files:
        meta = STAGE / "mutants" / COLLECTION / (relative + ".meta")
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        alive = [[name, str(COLLECTION / relative)] for name, code in codes.items()
                 if code is not None and STATUS.get(code) not in ("killed", "timeout")]
        diffs = subprocess.run([str(VENV / "bin" / "python"), "-c", DIFFS], cwd=STAGE, env=mutmut_env(), check=True,
                               input=json.dumps(alive), capture_output=True, text=True).stdout
        base = RESULTS / Path(relative).name
        shutil.copy2(meta, str(base) + ".meta")
        Path(str(base) + ".diffs.json").write_text(diffs)


def results():
    """{file name: {mutant name: status}} from the kept .meta files of each file's last run."""
    found = {}
    for meta in sorted(RESULTS.glob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        found[meta.name[:-len(".meta")]] = {
            k: STATUS.get(v, "suspicious" if v is not None else "not checked") for k, v in codes.items()}
    return found


def report():
    """The per-file table (Markdown) of the last run, the survivors, and stale entries of the equivalents file."""
    found = results()
    if not found:
        sys.exit("mutants: no results under %s; run scripts/mutants.py first" % RESULTS)
    known = equivalents()
    rows, survivors, totals = [], [], [0] * 8
    for name, statuses in found.items():
        # mutants, killed, timed out, survived, equivalent, of them no test, not checked
        counts = [len(statuses), 0, 0, 0, 0, 0, 0]
        for mutant, status in sorted(statuses.items()):
            if status == "killed":
                counts[1] += 1
            elif status == "timeout":
                counts[2] += 1
            elif mutant in known:
                counts[4] += 1
            elif status in ("not checked", "skipped"):
                counts[6] += 1
            else:
                counts[3] += 1
                counts[5] += status == "no tests"
                survivors.append((mutant, status))
        caught, real = counts[1] + counts[2], counts[0] - counts[4] - counts[6]
        rows.append("| `%s` | %d | %d | %d | %d | %d | %d | %d | %s |" % (
            (name,) + tuple(counts) + ("%.1f %%" % (100.0 * caught / real) if real else "-",)))
        totals = [a + b for a, b in zip(totals, counts + [caught])]
    real = totals[0] - totals[4] - totals[6]
    rows.append("| all | %d | %d | %d | %d | %d | %d | %d | %s |" % (tuple(totals[:7]) + (
        "%.1f %%" % (100.0 * totals[7] / real) if real else "-",)))
    print("| file | mutants | killed | timed out | survived | equivalent | of them no test | not checked | score |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))
    print("\nscore = (killed + timed out) / (mutants - equivalent - not checked)")
    untested = sum(status == "no tests" and mutant in known for statuses in found.values()
                   for mutant, status in statuses.items())
    if untested:
        print("\n%d of the equivalents were not tested again in their file's last run (their tests deselected): "
              "the code they were triaged on was unchanged (the hash on their line)." % untested)
    if survivors:
        named = equivalents(OPEN)
        print("\nSurvivors (`scripts/mutants.py --show NAME` shows one; the reason from scripts/mutants-open.txt):")
        for mutant, status in survivors:
            print("  %s%s%s" % (mutant, "  (no test reaches it)" if status == "no tests" else "",
                                "  -- " + named[mutant] if mutant in named else ""))
        print("\n%d survivors, %d of them named with the reason in scripts/mutants-open.txt"
              % (len(survivors), sum(m in named for m, _status in survivors)))
    every = {m for statuses in found.values() for m in statuses}
    stale = sorted(m for m in known if m not in every and m.split(".plugins.module_utils.")[-1].split(".")[0] + ".py"
                   in found)
    if stale:
        print("\nIn scripts/mutants-equivalent.txt but no longer a mutant (remove or rename): " + ", ".join(stale))
    for listed, path in ((known, EQUIVALENT), (equivalents(OPEN), OPEN)):
        killed = sorted(m for statuses in found.values() for m, s in statuses.items()
                        if m in listed and s in ("killed", "timeout"))
        if killed:
            print("\nListed in %s but killed (remove them): %s" % (path.relative_to(ROOT), ", ".join(killed)))


def _open_survivors():
    """{mutant name: diff} of every survivor of the kept results that is not listed as equivalent."""
    known, found = equivalents(), {}
    for name, statuses in results().items():
        diffs_file = RESULTS / (name + ".diffs.json")
        diffs = json.loads(diffs_file.read_text()) if diffs_file.exists() else {}
        for mutant, status in statuses.items():
            if status in ("survived", "no tests", "suspicious") and mutant not in known:
                found[mutant] = diffs.get(mutant, "")
    return found


def _apply_diff(text, diff, mutant=""):
    """`text` with mutmut's diff of one function applied, or None when that context is no longer in the file.

    The hunk's lines are numbered from the function, not the file, so it is applied by its context, line by line
    without their indentation: mutmut shows a method (`xǁClassǁname__mutmut_N`) without its class's indentation
    (but a docstring's own lines as they are), so a method's context is looked for after `class Class` (two
    classes may hold the same lines), and an added line gets the indentation of the line it replaces."""
    hunk = [(line[:1], line[1:]) for line in diff.splitlines()[2:] if not line.startswith("@@") and line[:1] in " -+"]
    old = [body for tag, body in hunk if tag in " -"]
    lines = text.split("\n")
    first = 0
    parts = mutant.rsplit(".", 1)[-1].split("\u01c1")
    if len(parts) == 3:
        headers = ("class %s(" % parts[1], "class %s:" % parts[1])
        first = next((n for n, line in enumerate(lines) if line.startswith(headers)), None)
        if first is None:
            return None
    if not old:
        return None
    at = next((n for n in range(first, len(lines) - len(old) + 1)
               if all(lines[n + k].strip() == body.strip() for k, body in enumerate(old))), None)
    if at is None:
        return None
    out, n, shift = lines[:at], at, 0
    for tag, body in hunk:
        if tag == " ":
            out.append(lines[n])
            n += 1
        elif tag == "-":
            shift = (len(lines[n]) - len(lines[n].lstrip())) - (len(body) - len(body.lstrip()))
            n += 1
        else:
            out.append(" " * shift + body if shift >= 0 else body[-shift:])
    return "\n".join(out + lines[n:])


def _alive(pid):
    """Whether a process with this pid exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check(patterns, tests):
    """Apply each open survivor matching a pattern to a scratch copy of the work tree, one at a time, and run
    `tests` against it (pytest -x, the way mutmut runs them): killed, survived, or stale (the code changed)."""
    import fnmatch  # pylint: disable=import-outside-toplevel
    chosen = {m: d for m, d in sorted(_open_survivors().items()) if any(fnmatch.fnmatch(m, p) for p in patterns)}
    if not chosen:
        sys.exit("mutants: no open survivor of the last run matches %s (scripts/mutants.py --report lists them)"
                 % " ".join(patterns))
    # A scratch copy of its own (several checks may run at once, beside a mutmut run in .build/mutants); those left
    # by a check that was stopped (its process is gone) are removed.
    for left in WORK.parent.glob("mutants-check-*"):
        pid = left.name.rsplit("-", 1)[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(left, ignore_errors=True)
    scratch = WORK.parent / ("mutants-check-%d" % os.getpid())
    shutil.rmtree(scratch, ignore_errors=True)
    (scratch / COLLECTION).mkdir(parents=True)
    subprocess.run(["scripts/export-tree.sh", str(scratch / COLLECTION)], cwd=ROOT, check=True)
    (scratch / "mutants_basetemp.py").write_text(BASETEMP_PLUGIN)
    staged = [str(COLLECTION / t) for t in tests]
    start = time.monotonic()
    code, output = _pytest(scratch, staged, scratch / "tmp")
    if code != 0:
        print(output[-3000:])
        sys.exit("mutants: the tests fail on the unmutated work tree; fix them first")
    # As in the mutmut runs: a mutant that makes a wait loop or a retry sleep is stopped, and counts as caught.
    timeout = 4 * (time.monotonic() - start) + 5
    counts = {}
    for mutant, diff in chosen.items():
        module = mutant.split(".plugins.module_utils.", 1)[1].split(".", 1)[0]
        target = scratch / SOURCE / (module + ".py")
        original = target.read_text()
        mutated = _apply_diff(original, diff, mutant)
        if mutated is None:
            verdict = "stale (its code changed since the run: run mutmut on the file again)"
        else:
            target.write_text(mutated)
            try:
                code, output = _pytest(scratch, staged, scratch / "tmp", timeout)
            finally:
                target.write_text(original)
            failed = [line.split()[1] for line in output.splitlines() if line.startswith(("FAILED ", "ERROR "))]
            if code is None:
                verdict = "timeout (stopped after %d s: caught)" % timeout
            elif code != 0:
                verdict = ("killed by " + failed[0].split("/tests/", 1)[-1]) if failed else "killed (exit %d)" % code
            else:
                verdict = "SURVIVED"
        counts[verdict.split()[0]] = counts.get(verdict.split()[0], 0) + 1
        print("%s  %s" % (mutant.split(".plugins.module_utils.", 1)[1], verdict))
    shutil.rmtree(scratch, ignore_errors=True)
    print("mutants: %s" % ", ".join("%d %s" % (n, v) for v, n in sorted(counts.items())))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("files", nargs="*", help="module_utils files to mutate (default: all)")
    parser.add_argument("--show", metavar="NAME", help="the diff of one mutant of the last run")
    parser.add_argument("--report", action="store_true", help="the per-file table of the last run")
    parser.add_argument("--check", nargs="+", metavar="PATTERN",
                        help="apply each open survivor matching a PATTERN to a scratch copy and run --tests")
    parser.add_argument("--stamp", nargs="?", const="", metavar="REVISION",
                        help="write the hash of plugins/module_utils (at REVISION, default the work tree) into "
                             "each line of scripts/mutants-equivalent.txt that has none")
    parser.add_argument("--tests", nargs="+", metavar="TEST",
                        help="with --check: the tests to run (default $MUTANTS_TESTS or tests/unit)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    os.chdir(ROOT)
    if args.report:
        report()
        return 0
    if args.stamp is not None:
        stamp(args.stamp)
        return 0
    ensure_venv()
    if args.show:
        for diffs in RESULTS.glob("*.diffs.json"):
            diff = json.loads(diffs.read_text()).get(args.show)
            if diff:
                print(diff)
                return 0
        return subprocess.run([str(VENV / "bin" / "mutmut"), "show", args.show], cwd=STAGE, env=mutmut_env(),
                              check=False).returncode
    tests = os.environ.get("MUTANTS_TESTS", "tests/unit").split()
    if args.check:
        check(args.check, args.tests or tests)
        return 0
    files = module_utils_files(args.files)
    jobs = os.environ.get("MUTANTS_JOBS", "2")
    start = time.monotonic()
    skip = stage(files, tests)
    _self_check(tests)
    print("mutants: staged and self-checked in %d s" % (time.monotonic() - start))
    chosen = {Path(f).name for f in files}
    print("mutants: %d listed equivalents not tested again: plugins/module_utils is unchanged since their triage "
          "(MUTANTS_RECHECK=1 tests them)" % sum(_function_key(name)[0] in chosen for name in skip))
    print("mutants: mutmut run over %d file(s), tests %s, %s at once, in %s"
          % (len(files), " ".join(tests), jobs, STAGE))
    budget = float(os.environ.get("MUTANTS_BUDGET") or 0) or None
    # In a session of its own: on MUTANTS_BUDGET, mutmut and the workers it forked are stopped together.
    mutmut = subprocess.Popen([str(VENV / "bin" / "mutmut"), "run", "--max-children", jobs], cwd=STAGE,
                              env=mutmut_env(), start_new_session=True)
    try:
        code = mutmut.wait(timeout=budget and max(budget - (time.monotonic() - start), 1))
    except subprocess.TimeoutExpired:
        print("\nmutants: MUTANTS_BUDGET of %d s spent: stopping mutmut; what it did not test is counted as not "
              "checked" % budget)
        os.killpg(mutmut.pid, signal.SIGINT)
        try:
            code = mutmut.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(mutmut.pid, signal.SIGKILL)  # each result is saved as it comes: nothing is lost
            code = mutmut.wait()
    print("mutants: mutmut exited with %d after %d s" % (code, time.monotonic() - start))
    keep_results(files)
    report()
    return code


if __name__ == "__main__":
    sys.exit(main())
