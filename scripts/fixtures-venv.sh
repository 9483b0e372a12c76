#!/usr/bin/env bash
# Creates (idempotently) the Python virtual environment that tests/fixtures/make_fixtures.py
# runs in: PyPI keras with jax (CPU) as its backend, h5py, numpy and onnx, pinned in
# tests/fixtures/requirements.txt.
# Location: $DLC_FIXTURES_VENV, default $HOME/.cache/dlc/venv-fixtures (outside the repo, so
# nothing needs ignoring). Interpreter: $PYTHON, default python3.
# Prints the venv path on stdout (the last line); progress goes to stderr.
# It does not run the fixture script (do that by hand, see tests/fixtures/README.md), and CI
# never needs it: the generated fixtures are committed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${DLC_FIXTURES_VENV:-$HOME/.cache/dlc/venv-fixtures}"
python="${PYTHON:-python3}"
requirements="$repo/tests/fixtures/requirements.txt"
stamp="$venv/.dlc-requirements"

if [[ ! -x "$venv/bin/python" ]]; then
  echo "fixtures-venv.sh: creating $venv with $("$python" --version 2>&1)" >&2
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
fi

# Reinstall only when requirements.txt changed since the last successful install.
if [[ ! -f "$stamp" ]] || ! cmp -s "$requirements" "$stamp"; then
  echo "fixtures-venv.sh: installing $requirements" >&2
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet \
    -r "$requirements" >&2
  cp "$requirements" "$stamp"
else
  echo "fixtures-venv.sh: $venv is up to date" >&2
fi

echo "$venv"
