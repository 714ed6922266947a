# Sourced by run.sh and test.sh: use the active virtualenv, or create and enter ./.venv, so the
# README's commands work on a stock Debian/Ubuntu Python (PEP 668 refuses system-wide pip installs).
if [ -z "${VIRTUAL_ENV:-}" ]; then
  venv="${KG_VENV:-.venv}"
  if [ ! -x "$venv/bin/python" ]; then
    echo "setting up a virtual environment in $venv"
    python3 -m venv "$venv" || {
      echo "error: python3 -m venv failed; on Debian/Ubuntu install it with: sudo apt-get install python3-venv" >&2
      exit 1
    }
  fi
  # shellcheck disable=SC1091
  . "$venv/bin/activate"
fi
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
  echo "error: Python 3.11 or newer is needed, found $(python3 --version 2>&1)" >&2
  exit 1
}
python3 -m pip install -q --upgrade pip >/dev/null
