# RefNet — the two commands a newcomer needs: `make run` (the main job) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CONFIG ?= Release
DOTNET ?= dotnet
RESULTS ?= $(CURDIR)/artifacts/test-results

.PHONY: help build test run clean

help:
	@echo "make run    - train the main job and print the result"
	@echo "make test   - build and run every test project"
	@echo "make build  - build the solution ($(CONFIG))"

build:
	$(DOTNET) build RefNet.sln -c $(CONFIG) -nologo

test: build
	rm -rf $(RESULTS)
	$(DOTNET) test RefNet.sln -c $(CONFIG) --no-build -nologo \
	  --logger "trx" --logger "console;verbosity=minimal" --results-directory $(RESULTS)

run: build
	./refnet slides-demo

clean:
	$(DOTNET) clean RefNet.sln -c $(CONFIG) -nologo
	rm -rf artifacts
