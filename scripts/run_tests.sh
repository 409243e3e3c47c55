#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine, then run every test.
# Used by the README's second command and by .ci/run. Exits non-zero on any failure,
# and also when pytest collected no test at all (its exit code 5).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  # Browser tests drive Debian's Chromium through Playwright; never a downloaded browser.
  if [ "$(id -u)" -eq 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  "${apt_get[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq chromium
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# Lint and formatting first (rules in pyproject.toml): a red lint fails the run like a red test.
.venv/bin/ruff check .
.venv/bin/ruff format --check .

set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "run_tests: pytest collected no test; that is a failure here" >&2
  exit 1
fi
exit "$status"
