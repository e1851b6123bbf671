# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docs as a test: every command block and playbook of README.md and docs/*.md that a user runs is run here,
taken from the Markdown itself, in a directory outside the checkout, with the collection installed from a
tarball built from the checkout, against the bundled emulator (a fresh one per document).

How a block is run is said in the Markdown, on the line before its fence (docs/development.md, "The docs are
a test"):

- a `sh` block runs with bash (-e -u -o pipefail) in the document's work directory, where `ubidots-industrial`
  is the checkout ("your clone"); a line `export NAME=...` (three dots: "your value") keeps the value the
  environment already has;
- `<!-- doc-test: file PATH -->` writes the block to PATH in the work directory (a playbook, an inventory,
  an ansible.cfg), for the blocks after it to use;
- `<!-- doc-test: playbook PATH ARGS -->` writes it to PATH and runs `ansible-playbook PATH ARGS`;
- `<!-- doc-test: in-checkout -->` runs a `sh` block in the checkout (the commands a contributor runs there);
- `_Not run by the docs test: REASON._` (visible in the rendered page) marks a block that cannot run here.

A `sh`, `yaml`, `yml` or `ini` block with none of these fails the test, so a new example is either run or marked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "emulator"))

from ubidots_emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position

BIN = Path(sys.executable).parent
DOCUMENTS = ["README.md"] + sorted(str(p.relative_to(REPO)) for p in (REPO / "docs").glob("*.md"))
LANGUAGES = {"sh": "sh", "bash": "sh", "shell": "sh", "yaml": "yaml", "yml": "yaml", "ini": "ini"}
FENCE = re.compile(r"^```(\S*)\s*$")
DIRECTIVE = re.compile(r"^<!-- doc-test: (file|playbook|in-checkout)\s*(.*?)\s*-->$")
NOT_RUN = re.compile(r"^_Not run by the docs test: (.+)\._$")
PLACEHOLDER = re.compile(r"^(\s*)export ([A-Z_][A-Z0-9_]*)=\.\.\.(\s.*)?$")
TIMEOUT = 120
# The name the docs give a clone of the repository (`cd ubidots-industrial`): in the work directory, the checkout.
CLONE = "ubidots-industrial"


class Block:  # pylint: disable=too-few-public-methods
    """A fenced block of a document: where it starts, its language, its text, and how it is run."""

    def __init__(self, document, line, language, text, how, argument):  # pylint: disable=too-many-arguments
        self.document = document
        self.line = line
        self.language = language
        self.text = text
        self.how = how            # "sh", "file", "playbook", "in-checkout", "not-run", or None (unmarked)
        self.argument = argument  # the path, the playbook's arguments, or the reason it is not run

    @property
    def where(self):
        """document:line, as a message names the block."""
        return "%s:%d" % (self.document, self.line)


def blocks(document):
    """The fenced blocks of `document` (a path relative to the checkout) in a language a user runs."""
    lines = (REPO / document).read_text(encoding="utf-8").splitlines()
    found, index = [], 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        end = next((i for i in range(index + 1, len(lines)) if lines[i].startswith("```")), len(lines))
        language = LANGUAGES.get(fence.group(1).lower())
        if language:
            before = _paragraph_before(lines, index)
            how, argument = None, ""
            directive, not_run = DIRECTIVE.match(before), NOT_RUN.match(before)
            if not_run:
                how, argument = "not-run", not_run.group(1)
            elif directive:
                how, argument = directive.group(1), directive.group(2)
            elif language == "sh":
                how = "sh"
            found.append(Block(document, index + 1, language, "\n".join(lines[index + 1:end]) + "\n", how, argument))
        index = end + 1
    return found


def _paragraph_before(lines, index):
    """The paragraph that ends right before line `index` (blank lines skipped), joined into one line."""
    end = index - 1
    while end >= 0 and not lines[end].strip():
        end -= 1
    start = end
    while start > 0 and lines[start - 1].strip() and not lines[start - 1].startswith("```"):
        start -= 1
    return " ".join(line.strip() for line in lines[start:end + 1])


def _script(text):
    """A sh block as bash runs it: `export NAME=...` keeps the environment's value of NAME."""
    out = []
    for line in text.splitlines():
        placeholder = PLACEHOLDER.match(line)
        out.append('%s: "${%s:?the docs test sets it}"' % (placeholder.group(1), placeholder.group(2))
                   if placeholder else line)
    return "set -euo pipefail\n" + "\n".join(out) + "\n"


@pytest.fixture(scope="session")
def installed(tmp_path_factory):
    """The collection built into a tarball from the checkout and installed from it, as a user would."""
    root = tmp_path_factory.mktemp("installed")
    # Not the test run's environment: its PYTHONPATH holds the checkout as a collection, which ansible-galaxy
    # would take for an installed one ("Nothing to do").
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(root), "LANG": "C.UTF-8"}
    galaxy = str(BIN / "ansible-galaxy")
    subprocess.run([galaxy, "collection", "build", "--output-path", str(root), str(REPO)],
                   check=True, capture_output=True, text=True, timeout=TIMEOUT, env=env)
    tarball = next(root.glob("ubidots-industrial-*.tar.gz"))
    collections = root / "collections"
    subprocess.run([galaxy, "collection", "install", "-p", str(collections), str(tarball)],
                   check=True, capture_output=True, text=True, timeout=TIMEOUT, env=env)
    assert (collections / "ansible_collections" / "ubidots" / "industrial" / "meta" / "runtime.yml").is_file()
    return collections


def _environment(home, collections, emulator):
    env = {
        "PATH": "%s:%s" % (BIN, os.environ.get("PATH", "")),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "ANSIBLE_COLLECTIONS_PATH": str(collections),
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCAL_TEMP": str(home / ".ansible-tmp"),
        "UBIDOTS_API_URL": emulator.url,
        "UBIDOTS_TOKEN": emulator.token,
        # An emulator a block starts (make emulator) stops by itself soon after the block.
        "UBIDOTS_EMULATOR_IDLE_TIMEOUT": "30",
    }
    return env


def _run(block, command, cwd, env):
    proc = subprocess.run(command, cwd=str(cwd), env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert proc.returncode == 0, "%s failed (exit %d) as the docs say to run it:\n%s\n%s%s" % (
        block.where, proc.returncode, block.text, proc.stdout[-4000:], proc.stderr[-4000:])
    return proc


def test_every_block_a_user_runs_is_run_or_marked_with_a_reason():
    unmarked = [b.where for d in DOCUMENTS for b in blocks(d) if b.how is None]
    assert not unmarked, ("blocks neither run nor marked (see tests/docs/test_docs.py for the markers): %s"
                          % ", ".join(unmarked))
    empty = [b.where for d in DOCUMENTS for b in blocks(d) if b.how in ("file", "playbook") and not b.argument.split()]
    assert not empty, "file and playbook markers need a path: %s" % ", ".join(empty)


@pytest.mark.parametrize("document", [d for d in DOCUMENTS if any(b.how not in (None, "not-run") for b in blocks(d))])
def test_the_documents_blocks_work_as_written(document, installed, tmp_path):
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    home.mkdir()
    (work / CLONE).symlink_to(REPO, target_is_directory=True)  # "your clone", as the docs call it
    with Emulator(idle_timeout=120) as emulator:
        emulator.start()
        env = _environment(home, installed, emulator)
        for block in blocks(document):
            if block.how in ("file", "playbook"):
                path = work / block.argument.split()[0]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(block.text, encoding="utf-8")
            if block.how == "playbook":
                _run(block, ["ansible-playbook"] + block.argument.split()[:1] + block.argument.split()[1:], work, env)
            elif block.how in ("sh", "in-checkout"):
                _run(block, ["bash", "-c", _script(block.text)], REPO if block.how == "in-checkout" else work, env)
    shutil.rmtree(work, ignore_errors=True)
