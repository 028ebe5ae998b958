# npu: thin wrapper around CMake/CTest. Every target installs what it needs.
#
#   make sim         build the model of CONFIG and run the demo layers through it
#   make test        the whole regression (unit, block, top-level, lint, synthesis,
#                    generators, formatting) with a fresh base seed, printed first
#                    and last with the command that replays the run
#   make test-32x32  the fixed and a few random top-level cases of every kind on
#                    32x32 (any configuration: test-<cfg>), building its model on demand
#   make lint        Verilator -Wall lint of npu_top in every named configuration
#   make synth       Yosys synthesis of npu_top (4x4), prints cell counts
#   make bench       cycles and throughput of every operation on CONFIG (checked
#                    bit for bit), under the default and the ideal memory model
#   make install     the npu command (PREFIX/bin) and the Python module npu
#                    (PREFIX/lib/python3.X/dist-packages, for Debian's python3)
#   make format      reformat the C++ files of sw/, tb/, apps/, python/
#   make gen         regenerate rtl/gen, sw/gen, docs/gen, cmake/gen from spec/
#   make clean       remove the build folder
#
# Variables:
#   BUILD   build folder (default build)
#   CONFIG  hardware configuration of sim and bench (default 16x16); one of
#           the names in spec/configs.toml: 4x4 8x8 16x16 32x32
#   SEED    base seed. make test / test-<cfg>: drawn afresh on every run
#           unless given, and passed at test time to every randomized test
#           (COCOTB_RANDOM_SEED, NPU_SEED). sim / bench: seed of the data and
#           of the memory model (default 1).
#   JOBS    parallel jobs (default nproc)
#   PREFIX  where make install puts things (default /usr/local)

BUILD  ?= build
CONFIG ?= 16x16
JOBS   ?= $(shell nproc)
SEED   ?=
PREFIX ?= /usr/local

# Nested builds (the on-demand models) use as many jobs.
export CMAKE_BUILD_PARALLEL_LEVEL := $(JOBS)

# The named configurations (generated from spec/configs.toml).
CONFIGS := $(shell sed -n 's/^set(NPU_CONFIGS \(.*\))$$/\1/p' cmake/gen/npu_configs.cmake)
CONFIG_ID = $(shell printf '%s' '$(1)' | tr -c 'A-Za-z0-9_' '_')
SIM_SEED := $(if $(SEED),$(SEED),1)
TEST_ARGS = --jobs $(JOBS) $(if $(SEED),--seed $(SEED))

# A configuration name outside the list stops make before anything is built.
ifneq ($(filter sim bench,$(MAKECMDGOALS)),)
  ifeq ($(filter $(CONFIG),$(CONFIGS)),)
    $(error unknown CONFIG '$(CONFIG)'; known configurations: $(CONFIGS))
  endif
endif
TEST_CONFIG_GOALS := $(filter test-%,$(MAKECMDGOALS))
ifneq ($(filter-out $(addprefix test-,$(CONFIGS)),$(TEST_CONFIG_GOALS)),)
  $(error unknown target '$(firstword $(filter-out $(addprefix test-,$(CONFIGS)),$(TEST_CONFIG_GOALS)))'; known: $(addprefix test-,$(CONFIGS)))
endif

.PHONY: all deps configure build install sim test $(addprefix test-,$(CONFIGS)) lint synth bench \
        format gen gen-check clean

all: build

deps:
	@bash scripts/setup_deps.sh

configure: deps
	cmake -S . -B $(BUILD) -G Ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

install: configure
	cmake --build $(BUILD) -j $(JOBS) --target npu npu_python
	cmake --install $(BUILD) --prefix $(PREFIX)

# make sim also runs the trained digits CNN through the RTL of CONFIG.
DIGITS := models/digits
sim: configure
	cmake --build $(BUILD) -j $(JOBS) --target npu_demo_$(call CONFIG_ID,$(CONFIG)) npu
	$(BUILD)/tb/tests/npu_demo_$(call CONFIG_ID,$(CONFIG)) --config $(CONFIG) --seed $(SIM_SEED)
	@if grep -q '^NPU_RTL_CONFIGS:.*=\(.*;\)\{0,1\}$(CONFIG)\(;.*\)\{0,1\}$$' $(BUILD)/CMakeCache.txt; then \
	  echo "== the trained digits CNN ($(DIGITS)) through the RTL of $(CONFIG), checked against the simulator"; \
	  $(BUILD)/apps/npu/npu eval $(DIGITS)/digits_qdq.onnx --config $(CONFIG) --backend rtl --check sim \
	    --images $(DIGITS)/test_images.npy --labels $(DIGITS)/test_labels.npy \
	    --reference $(DIGITS)/ort_logits.npy; \
	else \
	  echo "== the digits CNN: the npu command has no RTL model of $(CONFIG) (NPU_RTL_CONFIGS); skipped"; \
	fi

bench: configure
	cmake --build $(BUILD) -j $(JOBS) --target npu_bench_$(call CONFIG_ID,$(CONFIG))
	$(BUILD)/tb/tests/npu_bench_$(call CONFIG_ID,$(CONFIG)) --config $(CONFIG) --seed $(SIM_SEED)

test: configure
	@bash scripts/run_tests.sh $(TEST_ARGS) $(BUILD)

$(addprefix test-,$(CONFIGS)): test-%: configure
	@bash scripts/run_tests.sh $(TEST_ARGS) --config $* $(BUILD)

lint: configure
	cd $(BUILD) && ctest -L lint --output-on-failure

synth: configure
	bash scripts/synth.sh 4x4

format: deps
	bash scripts/check_format.sh --fix

gen:
	python3 scripts/gen_spec.py

gen-check:
	python3 scripts/gen_spec.py --check

clean:
	rm -rf $(BUILD)
