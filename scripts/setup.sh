#!/usr/bin/env bash
# Installs everything AICMO needs on a Debian machine: system packages (when root), the
# virtualenv and the pinned Python packages. `make run`, `make test`, .ci/run and the
# Dockerfile all install through this one script.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null || {
  echo "AICMO needs Python 3.12 or newer; '$PYTHON' is $("$PYTHON" --version 2>&1). Install 3.12 (or add a .python-version file saying 3.12 under pyenv)." >&2
  exit 1
}

# System packages: only what is missing, only when we may install. The list is
# scripts/apt-packages.txt unless APT_PACKAGES says otherwise (APT_PACKAGES="" skips the step).
# With WITH_TEST_PACKAGES=1 (make's test targets) scripts/apt-packages-test.txt is added: the
# browser the end-to-end tests drive, and the load tool.
if [ -z "${APT_PACKAGES+set}" ]; then
  APT_PACKAGES="$(grep -v '^[[:space:]]*#' scripts/apt-packages.txt | tr '\n' ' ')"
  if [ "${WITH_TEST_PACKAGES:-0}" = "1" ]; then
    APT_PACKAGES="$APT_PACKAGES $(grep -v '^[[:space:]]*#' scripts/apt-packages-test.txt | tr '\n' ' ')"
  fi
fi
if [ -n "$APT_PACKAGES" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  missing=""
  for pkg in $APT_PACKAGES; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
  done
  if [ -n "$missing" ]; then
    echo "Installing system packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi

VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha256"
wanted=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  "$VENV/bin/pip" install --disable-pip-version-check -q -r requirements.txt
  echo "$wanted" > "$stamp"
fi
