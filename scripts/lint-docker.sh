#!/usr/bin/env bash
# Offline checks of the Docker files (no Docker engine needed): the compose file against the
# Compose Specification and its best practices (dclint), and the Dockerfile's instructions and
# flags (dockerfile-utils, the linter behind VS Code's Docker support). dockerfilelint was tried
# and dropped: it predates HEALTHCHECK --start-period and rejects it.
set -euo pipefail
cd "$(dirname "$0")/.."
npx dclint docker-compose.yml --color=false
npx dockerfile-utils lint Dockerfile
echo "Docker files: ok"
