# ferrolb: `make demo` and `make test` each do their own set-up (npm ci, native build, Debian
# packages, the test API server) and work on a fresh machine as root.
SHELL := /bin/bash
.DEFAULT_GOAL := help
STAMP := node_modules/.ferrolb-installed

.PHONY: help setup build demo test e2e lint bench gauntlet clean

help:
	@echo "make demo   - network-namespace lab: client reaches a LoadBalancer IP, owner dies, IP moves"
	@echo "make test   - build, then every test suite, lint and type-check (includes the demo)"
	@echo "make e2e    - the image, deploy/ and the chart on a real 3-node kubelet cluster (docs/testing.md)"
	@echo "make bench  - benchmarks with same-run baselines"
	@echo "make gauntlet - churn, faults and hostile input for GAUNTLET_DURATION_S (600) s; report and seed"

$(STAMP): package.json package-lock.json native/binding.gyp native/*.c native/*.h
	npm ci
	@touch $@

setup: $(STAMP)
	@scripts/ensure-packages.sh

build: setup
	npx tsc -p tsconfig.build.json

demo: build
	@scripts/demo.sh

test: build
	-scripts/k8s-binaries.sh >/dev/null
	npx tsx scripts/run-tests.ts

e2e: build
	npx tsx scripts/run-tests.ts e2e

lint: setup
	npx biome check .
	npx tsc -p tsconfig.json --noEmit

bench: build
	npx tsx scripts/run-bench.ts

gauntlet: build
	-scripts/k8s-binaries.sh >/dev/null
	npx tsx scripts/gauntlet.ts

clean:
	rm -rf dist native/build node_modules
