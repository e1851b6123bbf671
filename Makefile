# Build and test tooling for the ubidots.industrial Ansible collection.
# Every check is a nox session (noxfile.py; `.venv-nox/bin/nox -l` lists them); these targets call
# them. See docs/development.md. `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.NOTPARALLEL:
MAKEFLAGS += --no-print-directory

PYTHON ?= python3

# nox and uv, pinned by scripts/constraints-nox.txt, in .venv-nox. The stamp's name carries a hash of both
# files and the Python version (scripts/deps_hash.py): when any changes, .venv-nox is rebuilt from scratch.
NOX_VENV := .venv-nox
NOX_HASH := $(shell $(PYTHON) scripts/deps_hash.py scripts/requirements-nox.txt scripts/constraints-nox.txt)
NOX_STAMP := $(NOX_VENV)/.installed-$(NOX_HASH)
NOX := $(NOX_VENV)/bin/nox --no-color

ifeq ($(NOX_HASH),)
$(error could not run '$(PYTHON)': set PYTHON=/path/to/python3.11+)
endif

.PHONY: help nox test demo units integration pytest sanity release-checks release-docs docs build test-live bench mutants emulator constraints clean distclean

help:
	@echo "make test         everything CI runs (nox -s ci): sanity on 2.16 + 2.21, release checks, live suite on the"
	@echo "                  emulator, unit + integration tests on 2.16 + 2.21, the core subset on 2.17, 2.18, 2.20,"
	@echo "                  and the main venv's (2.19) unit, emulator, docs and core integration tests"
	@echo "make demo         the demo playbook against the bundled emulator (nox -s demo)"
	@echo "make units        pytest tests/unit on the main venv (nox -s units; PYTEST_ARGS='-x -k token')"
	@echo "make integration  pytest tests/integration (nox -s integration)"
	@echo "make pytest       pytest tests/unit tests/emulator tests/integration tests/docs (nox -s pytest)"
	@echo "make sanity       ansible-test sanity on the main venv, ansible-core 2.19 (nox -s sanity-2.19; SANITY_ARGS='--test pylint')"
	@echo "make release-checks  docs lint, changelog, ansible-lint, build, galaxy-importer, actionlint, docs site (nox -t release)"
	@echo "make release-docs copy the last run's docs/reliability.md and README compatibility table (release step)"
	@echo "make docs         documentation site into .build/docs/build/html (nox -s docs)"
	@echo "make build        build the tarball into .build/, install it, ansible-doc every plugin (nox -s build)"
	@echo "make test-live    live contract suite against UBIDOTS_API_URL / UBIDOTS_TOKEN (nox -s live)"
	@echo "make bench        benchmark against the emulator (benchmarks/results/, about 8 min); not in make test"
	@echo "make mutants      mutation testing of plugins/module_utils (nox -s mutants; MUTANTS_ARGS='_rules.py _retry.py'); not in make test"
	@echo "make emulator     start the emulator and print the exports for your own playbook: eval \"\$$(make -s emulator)\""
	@echo "make constraints  regenerate every constraints file (pip freeze of a scratch venv, each on its Python)"
	@echo "make nox          only build $(NOX_VENV); then $(NOX_VENV)/bin/nox -l lists every session (tests-2.16, ...)"
	@echo "make clean        remove .build/ and test caches (keeps venvs); make distclean: and every venv"
	@echo "Variables: PYTHON=$(PYTHON) (builds $(NOX_VENV)) SANITY_ARGS='--test pylint' PYTEST_ARGS='-x -n 0' BENCH_ARGS=..."

$(NOX_STAMP):
	@PYTHON=$(PYTHON) scripts/venv.sh $(NOX_VENV) $@ scripts/requirements-nox.txt scripts/constraints-nox.txt

nox: $(NOX_STAMP)

test: $(NOX_STAMP)
	@$(NOX) -s ci

demo: $(NOX_STAMP)
	@$(NOX) -s demo

units: $(NOX_STAMP)
	@$(NOX) -s units -- $(PYTEST_ARGS)

integration: $(NOX_STAMP)
	@$(NOX) -s integration -- $(PYTEST_ARGS)

pytest: $(NOX_STAMP)
	@$(NOX) -s pytest -- $(PYTEST_ARGS)

sanity: $(NOX_STAMP)
	@$(NOX) -s sanity-2.19 -- $(SANITY_ARGS)

# Every check runs even when an earlier one failed; nox's summary lists each.
release-checks: $(NOX_STAMP)
	@$(NOX) -t release

docs: $(NOX_STAMP)
	@$(NOX) -s docs

build: $(NOX_STAMP)
	@$(NOX) -s build

# Against a real account: UBIDOTS_API_URL and UBIDOTS_TOKEN (see docs/development.md); skips without them.
test-live: $(NOX_STAMP)
	@$(NOX) -s live

# Not part of `make test`: about 8 minutes on 2 idle cores (see docs/performance.md).
bench: $(NOX_STAMP)
	@$(NOX) -s bench -- $(BENCH_ARGS)

# Not part of `make test`: mutmut over plugins/module_utils against tests/unit (scripts/mutants.py, docs/development.md).
mutants: $(NOX_STAMP)
	@$(NOX) -s mutants -- $(MUTANTS_ARGS)

# Only the exports on stdout (nox and the venv's build log go to stderr), for: eval "$(make -s emulator)".
emulator: $(NOX_STAMP)
	@$(NOX) -s emulator

# Release step: what the last `make test` wrote under .build/ becomes the committed docs.
release-docs:
	@test -f .build/reliability.md || { echo "release-docs: no .build/reliability.md; run make test first"; exit 1; }
	cp .build/reliability.md docs/reliability.md
	$(PYTHON) scripts/compat_table.py --readme README.md

constraints: $(NOX_STAMP)
	@$(NOX) -s constraints

clean:
	rm -rf .build tests/output .pytest_cache .hypothesis
	find . -path ./.git -prune -o -path './.venv*' -prune -o -path ./.nox -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf .nox .venv-nox .venv .venv-tools .venv-uv .venv-2.*
