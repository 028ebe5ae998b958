# npu: thin wrapper around CMake/CTest. Every target installs what it needs.
#
#   make sim      build the RTL and run the demo layers through it (default config)
#   make test     the whole regression (unit, block, top-level, lint, synthesis, generators)
#   make lint     Verilator -Wall lint of npu_top in every named configuration
#   make synth    Yosys synthesis of npu_top (4x4), prints cell counts
#   make bench    performance figures (MAC utilization, simulation speed)
#   make gen      regenerate rtl/gen, sw/gen, docs/gen, cmake/gen from spec/
#   make clean    remove the build folder
#
# Variables: BUILD (build folder, default build), CONFIG (hardware
# configuration for sim/bench, default 16x16), SEED (base seed of the
# regression and of the demo data, default 1; `make test` passes it to the
# unit tests as NPU_SEED and to the testbenches as --seed), JOBS (parallel jobs).

BUILD  ?= build
CONFIG ?= 16x16
JOBS   ?= $(shell nproc)
SEED   ?= 1

.PHONY: all deps configure build sim test lint synth bench gen gen-check clean

all: build

deps:
	@bash scripts/setup_deps.sh

configure: deps
	cmake -S . -B $(BUILD) -G Ninja -DNPU_TEST_SEED=$(SEED)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

sim: configure
	cmake --build $(BUILD) -j $(JOBS) --target npu_demo
	$(BUILD)/tb/tests/npu_demo --config $(CONFIG) --seed $(SEED)

test: build
	cd $(BUILD) && NPU_SEED=$(SEED) ctest -j $(JOBS) --output-on-failure --timeout 1500

lint: configure
	cd $(BUILD) && ctest -L lint --output-on-failure

synth: configure
	bash scripts/synth.sh 4x4

bench: configure
	cmake --build $(BUILD) -j $(JOBS) --target npu_demo
	$(BUILD)/tb/tests/npu_demo --config $(CONFIG) --seed $(SEED) --bench

gen:
	python3 scripts/gen_spec.py

gen-check:
	python3 scripts/gen_spec.py --check

clean:
	rm -rf $(BUILD)
