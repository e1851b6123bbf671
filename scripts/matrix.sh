#!/usr/bin/env bash
# Run one step on every supported ansible-core series that scripts/matrix.txt lists for it.
#
#   scripts/matrix.sh STEP [SERIES...]       STEP: sanity | integration
#
# For each series: find its Python (scripts/find-python.sh: PYTHON312=... overrides, then pyenv,
# then PATH), build or reuse .venv-<series> (scripts/requirements-matrix.txt pinned by
# scripts/constraints-ansible-<series>.txt; rebuilt when either or the Python changes), run the step,
# and append one line to .build/matrix/results.tsv (series, ansible-core, Python, step, result,
# seconds, summary), which scripts/compat_table.py turns into the README's compatibility table.
# A series whose Python is missing is skipped with one line. Exit status: non-zero if a step failed.
# In scripts/matrix.txt, `integration` runs tests/unit and tests/integration, and its reliability report
# becomes .build/reliability.md (the last series run in full wins: the newest); `integration-core` runs
# the integration tests marked `core` (tests/integration/conftest.py), to keep `make test` under 30
# minutes on 2 cores. Two sanity runs may go at once (scripts/test.sh): each series has its own HOME.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root" || exit 1
step=${1:?usage: scripts/matrix.sh sanity|integration [SERIES...]}
shift
only=" $* "
out=$root/.build/matrix
mkdir -p "$out"
results=$out/results.tsv
failed=0

while read -r series python steps; do
    case $series in ''|'#'*) continue ;; esac
    [ "$only" = "  " ] || [[ $only == *" $series "* ]] || continue
    # A step is named as is (integration), or with a variant (integration-core: the named subset).
    variant=
    for token in $steps; do
        case $token in "$step"|"$step"-*) variant=$token ;; esac
    done
    [ -n "$variant" ] || continue
    start=$SECONDS
    log=$out/$series-$step.log
    if ! interpreter=$(scripts/find-python.sh "$python"); then
        echo "matrix: ansible-core $series $step: SKIPPED, no Python $python found (set PYTHON${python//./}=/path/to/python$python, or install it with pyenv)"
        printf '%s\t%s\t%s\t%s\tskipped\t0\tno Python %s\n' "$series" "-" "$python" "$step" "$python" >> "$results"
        continue
    fi
    venv=.venv-$series
    constraints=scripts/constraints-ansible-$series.txt
    stamp=$venv/.installed-$("$interpreter" scripts/deps_hash.py scripts/requirements-matrix.txt "$constraints")
    if [ ! -f "$stamp" ]; then
        PYTHON=$interpreter scripts/venv.sh "$venv" "$stamp" scripts/requirements-matrix.txt "$constraints" > "$out/$series-venv.log" 2>&1 \
            || { echo "matrix: ansible-core $series: venv FAILED:"; tail -20 "$out/$series-venv.log"; failed=1; continue; }
    fi
    core=$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')
    echo "matrix: ansible-core $core on Python $python: $variant (log: ${log#"$root"/})"
    case $step in
        sanity)
            VENV=$venv SANITY_DIR=$root/.build/sanity-$series SANITY_HOME=$root/.build/home-$series scripts/sanity.sh > "$log" 2>&1
            rc=$?
            summary=$(grep -cE '^Running sanity test' "$log") summary="$summary sanity tests" ;;
        integration)
            mkdir -p "$out/$series"
            rm -f "$out/$series/reliability.md"
            # integration-core: one test of each thing the modules, roles and playbooks ask of
            # ansible-core, on the series not run in full (the marker `core`).
            # Three workers for the full run: the fault tests spend much of their time waiting (delays,
            # Retry-After, backoff), and a third worker uses the core they leave idle.
            subset='' tests=(tests/unit tests/integration) workers=3
            [ "$variant" = integration-core ] && subset=core tests=(tests/integration) workers=2
            VENV=$venv UBIDOTS_INTEGRATION_SUBSET=$subset UBIDOTS_RELIABILITY_OUTPUT=$out/$series/reliability.md \
                PYTEST_ARGS="-n $workers -q -rs -p no:cacheprovider" scripts/pytest.sh "${tests[@]}" > "$log" 2>&1
            rc=$?
            [ -f "$out/$series/reliability.md" ] && cp "$out/$series/reliability.md" "$root/.build/reliability.md"
            summary=$(grep -E '^=*.*(passed|failed|error).* in [0-9.]+s' "$log" | tail -1 | tr -d '=' | sed 's/^ *//; s/ *$//') ;;
        *) echo "matrix: unknown step $step" >&2; exit 2 ;;
    esac
    seconds=$((SECONDS - start))
    if [ $rc -eq 0 ]; then result=passed; else result=failed; failed=1; fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$series" "$core" "$("$venv/bin/python" -V 2>&1 | cut -d' ' -f2)" "$variant" "$result" "$seconds" "$summary" >> "$results"
    echo "matrix: ansible-core $core on Python $python: $variant $result in $seconds s ($summary)"
    [ $rc -eq 0 ] || tail -40 "$log" | sed 's/^/    /'
done < scripts/matrix.txt
exit $failed
