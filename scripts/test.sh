#!/usr/bin/env bash
# Install the project with its test tools and run the whole suite.
# The suite starts its own Neo4j 5.26 (Java 17 + Maven) on 127.0.0.1 and stops it after.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
python3 -m pip install -q -e ".[dev]"
python3 -c "from kg.store.neo4j_server import build; build()"  # fetch Neo4j jars once, with a clear log
exec python3 -m pytest "$@"
