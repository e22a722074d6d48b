#!/usr/bin/env bash
# CI for the example client: install it, generate its types from ../schema.graphql, type-check it,
# then run it against a live server and check what it prints (ci.ts). `--embedded` runs the
# server on the embedded database instead of a scratch PostgreSQL database.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
npx graphql-codegen --config codegen.ts --silent
echo "generated src/gql/ from ../schema.graphql"
npx tsc -p tsconfig.json
echo "type check passed"
node --import tsx ci.ts "$@"
