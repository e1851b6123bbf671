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

# Oldest supported ansible-core (meta/runtime.yml: requires_ansible >= 2.16).
OLDEST := 2.16
OLDEST_VENV := .venv-$(OLDEST)
OLDEST_CONSTRAINTS := scripts/constraints-ansible-$(OLDEST).txt
OLDEST_HASH := $(shell $(PYTHON) scripts/deps_hash.py $(REQUIREMENTS) $(OLDEST_CONSTRAINTS))
OLDEST_STAMP := $(OLDEST_VENV)/.installed-$(OLDEST_HASH)

ifeq ($(VENV_HASH),)
$(error could not run '$(PYTHON)': set PYTHON=/path/to/python3.11+)
endif

.PHONY: help venv venv-oldest test release-checks docs bench sanity units integration pytest test-oldest build demo clean distclean constraints

help:
	@echo "make test         venv + ansible-test sanity + pytest (unit, emulator, integration)"
	@echo "make release-checks  docs lint, changelog, ansible-lint, build + installed copy, docs site"
	@echo "make bench        benchmark against the emulator (benchmarks/results/); not in make test"
	@echo "make docs         documentation site into .build/docs/build/html (scripts/docs.sh)"
	@echo "make sanity       ansible-test sanity --venv on a copy of the collection"
	@echo "make units        pytest tests/unit"
	@echo "make integration  pytest tests/integration"
	@echo "make pytest       pytest tests/unit tests/emulator tests/integration"
	@echo "make test-oldest  pytest tests/integration with ansible-core $(OLDEST) ($(OLDEST_VENV))"
	@echo "make build        build the tarball into .build/, install it, ansible-doc every module"
	@echo "make demo         run scripts/demo.sh"
	@echo "make venv         create/refresh $(VENV) (automatic for the targets above)"
	@echo "make constraints  regenerate constraints.txt and $(OLDEST_CONSTRAINTS) with pip freeze"
	@echo "make clean        remove .build/ and test caches (keeps venvs)"
	@echo "make distclean    clean + remove $(VENV) and $(OLDEST_VENV)"
	@echo "Variables: PYTHON=$(PYTHON) SANITY_ARGS='--test pylint' PYTEST_ARGS='-x -n auto'"

# The stamp's name carries a hash of requirements-dev.txt + constraints.txt +
# the Python version: if any changes, the stamp is missing and the venv is rebuilt.
$(VENV_STAMP):
	@PYTHON=$(PYTHON) scripts/venv.sh $(VENV) $@ $(REQUIREMENTS) $(CONSTRAINTS)

venv: $(VENV_STAMP)

$(OLDEST_STAMP):
	@mkdir -p .build
	@sed '/^ansible-core[ =<>!~]/d' $(REQUIREMENTS) > .build/requirements-oldest.txt
	@PYTHON=$(PYTHON) scripts/venv.sh $(OLDEST_VENV) $@ .build/requirements-oldest.txt $(OLDEST_CONSTRAINTS) -- ansible-core

venv-oldest: $(OLDEST_STAMP)

# Order matters: sanity, then the release checks, then pytest, whose summary line ends the output.
# Every step runs even when an earlier one failed (all reports in one go); the exit status is
# non-zero if any failed.
test: $(VENV_STAMP)
	@sanity=0; scripts/sanity.sh || sanity=$$?; \
	 if [ $$sanity -ne 0 ]; then echo "test: ansible-test sanity FAILED (exit $$sanity)"; fi; \
	 checks=0; scripts/release-checks.sh || checks=$$?; \
	 scripts/pytest.sh tests/unit tests/emulator tests/integration || exit $$?; \
	 if [ $$sanity -ne 0 ] || [ $$checks -ne 0 ]; then echo "test: FAILED (sanity exit $$sanity, release checks exit $$checks)"; exit 1; fi

release-checks: $(VENV_STAMP)
	@scripts/release-checks.sh

docs: $(VENV_STAMP)
	@scripts/docs.sh

# Not part of `make test`: about 10 minutes on 2 idle cores (see docs/performance.md).
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
	@scripts/pytest.sh tests/unit tests/emulator tests/integration

test-oldest: $(OLDEST_STAMP)
	@VENV=$(OLDEST_VENV) scripts/pytest.sh tests/integration

build: $(VENV_STAMP)
	@scripts/build.sh

demo: $(VENV_STAMP)
	@export PATH="$(CURDIR)/$(VENV)/bin:$$PATH"; \
	 export ANSIBLE_COLLECTIONS_PATH="$$(scripts/collection-path.sh)"; \
	 scripts/demo.sh

constraints:
	@PYTHON=$(PYTHON) scripts/update-constraints.sh $(CONSTRAINTS)
	@PYTHON=$(PYTHON) scripts/update-constraints.sh $(OLDEST_CONSTRAINTS) ansible-core==$$(sed -n 's/^ansible-core==//p' $(OLDEST_CONSTRAINTS))

clean:
	rm -rf .build tests/output .pytest_cache .hypothesis
	find . -path ./.git -prune -o -path './.venv*' -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(OLDEST_VENV)
