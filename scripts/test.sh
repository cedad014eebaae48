#!/usr/bin/env bash
# Install miner with everything it can use, then run the whole test suite (slow, model and
# browser tests included). This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages for the browser and document tests (Debian). Skipped when not root or
# without apt-get: those tests then skip with a reason.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
  command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi

python3 -m venv .venv
.venv/bin/pip install -q -e '.[all,dev]'

# The real corpora in ../shared are used in place when present; then they must run, not skip.
if [ -d ../shared/corpora ]; then export MINER_REQUIRE_SHARED=1; fi
# Likewise the browser tests, once Chromium and its driver are installed.
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  export MINER_REQUIRE_BROWSER=1
fi
exec .venv/bin/python -m pytest -m "slow or model or browser or not (slow or model or browser)" "$@"
