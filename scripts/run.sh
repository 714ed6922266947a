#!/usr/bin/env bash
# Set up, build the graph on the embedded default store, and open the app.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
python3 -m pip install -q -e .
kg build
exec python3 -m streamlit run app.py --server.headless true "$@"
