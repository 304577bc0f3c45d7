#!/usr/bin/env bash
# `make demo`: the network-namespace lab with ferrolb standalone (scripts/demo.ts). Runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx tsx scripts/demo.ts
