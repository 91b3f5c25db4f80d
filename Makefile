# RefNet — the two commands a newcomer needs: `make run` (the main job) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CONFIG ?= Release
DOTNET ?= dotnet
RESULTS ?= $(CURDIR)/artifacts/test-results

.PHONY: help build test run clean bench

help:
	@echo "make run    - train the main job and print the result"
	@echo "make test   - build and run every test project"
	@echo "make build  - build the solution ($(CONFIG))"
	@echo "make bench  - time mnist_mlp: RefNet (f32/f64, managed/openblas) vs PyTorch (1/2 threads)"

build:
	$(DOTNET) build RefNet.sln -c $(CONFIG) -nologo

test: build
	rm -rf $(RESULTS)
	$(DOTNET) test RefNet.sln -c $(CONFIG) --no-build -nologo \
	  --logger "trx" --logger "console;verbosity=minimal" --results-directory $(RESULTS)

run: build
	./refnet slides-demo

bench:
	$(DOTNET) build src/RefNet.Cli/RefNet.Cli.csproj -c Release -nologo -v quiet
	/usr/bin/python3 benchmarks/bench.py

clean:
	$(DOTNET) clean RefNet.sln -c $(CONFIG) -nologo
	rm -rf artifacts
