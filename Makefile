# Build and test tooling for the ubidots.industrial Ansible collection.
# See docs/development.md. `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.NOTPARALLEL:
MAKEFLAGS += --no-print-directory

PYTHON ?= python3

# Main development venv: ansible-core 2.19 + test tools, pinned by constraints.txt.
VENV := .venv
REQUIREMENTS := requirements-dev.txt
CONSTRAINTS := constraints.txt
VENV_HASH := $(shell $(PYTHON) scripts/deps_hash.py $(REQUIREMENTS) $(CONSTRAINTS))
VENV_STAMP := $(VENV)/.installed-$(VENV_HASH)

# Release tools in their own venv (galaxy-importer, actionlint): scripts/requirements-tools.txt.
TOOLS_VENV := .venv-tools
TOOLS_HASH := $(shell $(PYTHON) scripts/deps_hash.py scripts/requirements-tools.txt scripts/constraints-tools.txt)
TOOLS_STAMP := $(TOOLS_VENV)/.installed-$(TOOLS_HASH)

# The other supported ansible-core series (.venv-2.16 ... .venv-2.21) are built by scripts/matrix.sh
# from scripts/matrix.txt, each on the Python it needs (scripts/find-python.sh).
SERIES := 2.16 2.17 2.18 2.20 2.21

ifeq ($(VENV_HASH),)
$(error could not run '$(PYTHON)': set PYTHON=/path/to/python3.11+)
endif

.PHONY: help venv venv-tools test release-checks release-docs docs bench sanity units integration pytest test-matrix test-oldest test-live build demo emulator clean distclean constraints

help:
	@echo "make test         everything CI runs: sanity on 2.16 + 2.21, release checks, live suite on the emulator,"
	@echo "                  unit + integration on 2.16 + 2.21, the core subset on 2.17, 2.18, 2.19 (.venv), 2.20 (scripts/test.sh)"
	@echo "make release-checks  docs lint, changelog, ansible-lint, build, galaxy-importer, actionlint, docs site"
	@echo "make release-docs copy the last run's docs/reliability.md and README compatibility table (release step)"
	@echo "make bench        benchmark against the emulator (benchmarks/results/, about 8 min); not in make test"
	@echo "make docs         documentation site into .build/docs/build/html (scripts/docs.sh)"
	@echo "make sanity       ansible-test sanity --venv on a copy of the collection"
	@echo "make units        pytest tests/unit"
	@echo "make integration  pytest tests/integration"
	@echo "make pytest       pytest tests/unit tests/emulator tests/integration tests/docs"
	@echo "make test-matrix  what scripts/matrix.txt names for each ansible-core series (SERIES='2.16 2.21' narrows)"
	@echo "make test-oldest  pytest tests/integration with ansible-core 2.16 (.venv-2.16)"
	@echo "make test-live    live contract suite against UBIDOTS_API_URL / UBIDOTS_TOKEN (tests/live)"
	@echo "make build        build the tarball into .build/, install it, ansible-doc every module"
	@echo "make demo         run scripts/demo.sh"
	@echo "make emulator     start the emulator and print the exports for your own playbook: eval \"\$$(make -s emulator)\""
	@echo "make venv         create/refresh $(VENV) (automatic for the targets above); make venv-tools: $(TOOLS_VENV)"
	@echo "make constraints  regenerate constraints.txt, scripts/constraints-ansible-*.txt and -tools.txt (pip freeze)"
	@echo "make clean        remove .build/ and test caches (keeps venvs)"
	@echo "make distclean    clean + remove every venv (venvs are built with the pinned uv: scripts/uv.sh)"
	@echo "Variables: PYTHON=$(PYTHON) SANITY_ARGS='--test pylint' PYTEST_ARGS='-x -n auto'"

# The stamp's name carries a hash of requirements-dev.txt + constraints.txt +
# the Python version: if any changes, the stamp is missing and the venv is rebuilt.
$(VENV_STAMP):
	@PYTHON=$(PYTHON) scripts/venv.sh $(VENV) $@ $(REQUIREMENTS) $(CONSTRAINTS)

venv: $(VENV_STAMP)

$(TOOLS_STAMP):
	@PYTHON=$(PYTHON) scripts/venv.sh $(TOOLS_VENV) $@ scripts/requirements-tools.txt scripts/constraints-tools.txt

venv-tools: $(TOOLS_STAMP)

# scripts/test.sh runs every step even when an earlier one failed and says how long each took.
test: $(VENV_STAMP) $(TOOLS_STAMP)
	@scripts/test.sh

release-checks: $(VENV_STAMP) $(TOOLS_STAMP)
	@scripts/release-checks.sh

docs: $(VENV_STAMP)
	@scripts/docs.sh

# Not part of `make test`: about 8 minutes on 2 idle cores (see docs/performance.md).
# bench.py starts the emulator, runs every scenario and the micro-benchmark, and writes benchmarks/results/.
bench: $(VENV_STAMP)
	@$(VENV)/bin/python benchmarks/bench.py $(BENCH_ARGS)

sanity: $(VENV_STAMP)
	@scripts/sanity.sh

units: $(VENV_STAMP)
	@scripts/pytest.sh tests/unit

integration: $(VENV_STAMP)
	@scripts/pytest.sh tests/integration

pytest: $(VENV_STAMP)
	@scripts/pytest.sh tests/unit tests/emulator tests/integration tests/docs

test-matrix:
	@rc=0; scripts/matrix.sh sanity $(SERIES) || rc=1; scripts/matrix.sh integration $(SERIES) || rc=1; exit $$rc

test-oldest:
	@scripts/matrix.sh integration 2.16

# Against a real account: UBIDOTS_API_URL and UBIDOTS_TOKEN (see docs/development.md); skips without them.
test-live: $(VENV_STAMP)
	@scripts/live.sh

# Release step: what the last `make test` wrote under .build/ becomes the committed docs.
release-docs:
	@test -f .build/reliability.md || { echo "release-docs: no .build/reliability.md; run make test first"; exit 1; }
	cp .build/reliability.md docs/reliability.md
	$(VENV)/bin/python scripts/compat_table.py --readme README.md

build: $(VENV_STAMP)
	@scripts/build.sh

demo: $(VENV_STAMP)
	@export PATH="$(CURDIR)/$(VENV)/bin:$$PATH"; \
	 export ANSIBLE_COLLECTIONS_PATH="$$(scripts/collection-path.sh)"; \
	 scripts/demo.sh

# Only the exports on stdout (the venv's build output goes to stderr), for: eval "$(make -s emulator)".
emulator:
	@$(MAKE) venv >&2
	@scripts/emulator.sh

# Each series' file keeps its ansible-core pin (edit that line to move to a newer release) and is
# generated on the Python scripts/matrix.txt gives it.
constraints:
	@PYTHON=$(PYTHON) scripts/update-constraints.sh $(CONSTRAINTS)
	@REQUIREMENTS=scripts/requirements-tools.txt PYTHON=$(PYTHON) scripts/update-constraints.sh scripts/constraints-tools.txt
	@for series in $(SERIES); do \
	   python=$$(awk -v s=$$series '$$1 == s {print $$2}' scripts/matrix.txt); \
	   interpreter=$$(scripts/find-python.sh $$python) || { echo "constraints: $$series skipped, no Python $$python"; continue; }; \
	   REQUIREMENTS=scripts/requirements-matrix.txt PYTHON=$$interpreter scripts/update-constraints.sh scripts/constraints-ansible-$$series.txt \
	     ansible-core==$$(sed -n 's/^ansible-core==//p' scripts/constraints-ansible-$$series.txt); \
	 done

clean:
	rm -rf .build tests/output .pytest_cache .hypothesis
	find . -path ./.git -prune -o -path './.venv*' -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(TOOLS_VENV) .venv-uv $(addprefix .venv-,$(SERIES))
