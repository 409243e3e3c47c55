#!/usr/bin/env bash
# Run every benchmark; each replaces its own section of BENCHMARKS.md (machine and date included).
# Needs the test-only data in ../shared/data and requirements-dev.txt in .venv
# (bash scripts/run_tests.sh creates it). About 20 minutes on 2 cores. Run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}

"$python" bench/bench_boundaries.py      # approximate boundaries vs real: IoU, build time, memory
"$python" bench/bench_import.py          # import-boundaries on the national 2025 and legacy files
"$python" bench/bench_indicators.py      # indicators vs rasterstats and plain exactextract
"$python" -m bench.bench_export          # every export format and the 34-province atlas
"$python" -m bench.bench_map             # map payload and server time vs a naive folium.Choropleth
