#!/usr/bin/env bash
# Creates (idempotently) the Python virtual environment used by dlc's example tooling
# (examples/train_fashion_mnist.py, examples/make_examples.py, examples/reference_check.py)
# and installs the pinned packages of scripts/requirements.txt into it.
# Location: $DLC_VENV, default <repo>/.venv. Interpreter: $PYTHON, default python3.
# Prints the venv path on stdout (the last line); progress goes to stderr.
# It does not touch any other Python installation and installs nothing but requirements.txt.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${DLC_VENV:-$repo/.venv}"
python="${PYTHON:-python3}"
requirements="$repo/scripts/requirements.txt"
stamp="$venv/.dlc-requirements"

if [[ ! -x "$venv/bin/python" ]]; then
  echo "venv.sh: creating $venv with $("$python" --version 2>&1)" >&2
  "$python" -m venv "$venv"
fi

# Reinstall only when requirements.txt changed since the last successful install.
if [[ ! -f "$stamp" ]] || ! cmp -s "$requirements" "$stamp"; then
  echo "venv.sh: installing $requirements" >&2
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet \
    -r "$requirements" >&2
  cp "$requirements" "$stamp"
else
  echo "venv.sh: $venv is up to date" >&2
fi

echo "$venv"
