#!/usr/bin/env bash
# `make demo`: the network-namespace lab with ferrolb standalone (scripts/demo.ts). Runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."
# One process (no npx/tsx wrapper in between), so Ctrl-C reaches the lab clean-up directly.
exec node --import tsx scripts/demo.ts
