# npu: thin wrapper around CMake/CTest. Every target installs what it needs.
#
#   make sim         build the model of CONFIG and run the demo layers through it
#   make test        the whole regression (unit, block, top-level, lint, synthesis,
#                    generators, formatting) with a fresh base seed, printed first
#                    and last with the command that replays the run
#   make test-32x32  the fixed and a few random top-level cases of every kind on
#                    32x32 (any configuration: test-<cfg>), building its model on demand
#   make regress     SEEDS seeds of every randomized test (CTest label random),
#                    SHARD=I/N for one shard of them; a JUnit report per shard in
#                    BUILD/regress, failing seeds listed with their replay commands
#   make regress-merge  the shard reports (RESULTS, default BUILD/regress/shard_*)
#                    merged into BUILD/regress/merged.xml and .md
#   make nightly     NIGHTLY_SEEDS seeds of every randomized test on 4x4 and 16x16,
#                    in its own build folder BUILD-nightly, then the RTL tests of
#                    4x4 with random initial and X values (BUILD-nightly-x,
#                    NPU_X_RANDOM; docs/testbench.md)
#   make cov         line, toggle and cover-point coverage of rtl/ and functional
#                    bins over the instruction fields: the top-level and block
#                    tests of COV_CONFIG, COV_SEEDS seeds, in the coverage build
#                    COV_BUILD, merged into COV_BUILD/cov (summary.md, html/);
#                    fails when a target or the testplan is not met (docs/testbench.md)
#   make mutate      plant each RTL bug of tb/mutate/mutations.toml (MUTANTS: only the
#                    names matching) in a copy of the source in BUILD-mutate and run
#                    the tests that must catch it; report in BUILD-mutate/report.md
#   make formal      the formal proofs of tb/formal (npu_fifo, npu_tokens, the
#                    AXI4-Lite slave of npu_csr): SymbiYosys and Yosys from .venv,
#                    Debian's z3; work folder BUILD/formal
#   make lint        Verilator -Wall lint of npu_top in every named configuration
#   make synth       Yosys synthesis of npu_top (4x4), prints cell counts
#   make fpga BOARD=ulx3s|orangecrab|icebreaker
#                    the board's bitstream with open tools (Yosys, nextpnr,
#                    ecppack/icepack from PyPI's YoWASP builds, pinned in .venv)
#                    and its report (resources, Fmax) in BUILD/fpga/<board>-<config>
#                    (docs/fpga.md); CONFIG only when given: else the board's
#   make bench       bench-ops, then bench-nets
#   make bench-ops   cycles and throughput of every operation on CONFIG (checked
#                    bit for bit), under the default and the ideal memory model
#   make bench-nets  ResNet-50 and MobileNetV2 whole through the RTL of CONFIG,
#                    every layer checked against the golden model: per-layer
#                    table, network figures, simulation speed (against the
#                    bare systolic array's, npu_array_speed_<cfg>); CSV, JSON and
#                    pictures in BUILD/bench (docs/bench.md). Built with
#                    profile-guided optimisation in BUILD/pgo unless PGO=0
#   make install     the npu command (PREFIX/bin) and the Python module npu
#                    (PREFIX/lib/python3.X/dist-packages, for Debian's python3)
#   make format      reformat the C++ files of sw/, tb/, apps/, python/
#   make gen         regenerate rtl/gen, sw/gen, docs/gen, cmake/gen from spec/
#   make clean       remove the build folder
#
# Variables:
#   BUILD   build folder (default build)
#   BOARD   board of make fpga: a folder of constraints/ (ulx3s, orangecrab, icebreaker)
#   CONFIG  hardware configuration of sim and bench (default 16x16); one of
#           the names in spec/configs.toml: 4x4 8x8 16x16 32x32
#   SEED    base seed. make test / test-<cfg>: drawn afresh on every run
#           unless given, and passed at test time to every randomized test
#           (COCOTB_RANDOM_SEED, NPU_SEED). regress / nightly: the first of the
#           seeds SEED, SEED+1, ... (drawn unless given; SHARD needs it). sim /
#           bench: seed of the data and of the memory model; cov, mutate: the
#           tests' base seed (default 1).
#   SEEDS   seeds per test of make regress (default 10)
#   SHARD   I/N: make regress and nightly run shard I of N (same SEED on every shard)
#   FILTER  make regress: only the tests whose name matches this regular expression
#   RESULTS make regress-merge: the shard reports to merge
#   MUTANTS make mutate: only the mutations whose name matches this regular expression
#   NIGHTLY_SEEDS seeds per test of make nightly (default 100)
#   COV_CONFIG, COV_SEEDS, COV_BUILD  make cov's configuration (default 4x4),
#           seeds per test (default 1; the first is SEED, default 1) and build
#           folder (default BUILD-cov)
#   NETS    networks of bench-nets (default: resnet50 mobilenetv2)
#   NET_ARGS more options of npu_net for bench-nets, e.g. the memory model:
#           --memory ideal|stress, --latency 100:200, --read-bandwidth 4
#   PGO     1 (default): bench-nets runs a profile-guided build of CONFIG
#           (scripts/pgo_build.sh, in BUILD/pgo); 0: the plain build in BUILD
#   JOBS    parallel jobs (default nproc)
#   PREFIX  where make install puts things (default /usr/local)

BUILD  ?= build
CONFIG ?= 16x16
JOBS   ?= $(shell nproc)
SEED   ?=
PREFIX ?= /usr/local
PGO    ?= 1

# Nested builds (the on-demand models) use as many jobs.
export CMAKE_BUILD_PARALLEL_LEVEL := $(JOBS)

# The named configurations (generated from spec/configs.toml).
CONFIGS := $(shell sed -n 's/^set(NPU_CONFIGS \(.*\))$$/\1/p' cmake/gen/npu_configs.cmake)
CONFIG_ID = $(shell printf '%s' '$(1)' | tr -c 'A-Za-z0-9_' '_')
SIM_SEED := $(if $(SEED),$(SEED),1)
TEST_ARGS = --jobs $(JOBS) $(if $(SEED),--seed $(SEED))

# A configuration name outside the list stops make before anything is built.
ifneq ($(filter sim bench bench-ops bench-nets,$(MAKECMDGOALS)),)
  ifeq ($(filter $(CONFIG),$(CONFIGS)),)
    $(error unknown CONFIG '$(CONFIG)'; known configurations: $(CONFIGS))
  endif
endif
TEST_CONFIG_GOALS := $(filter test-%,$(MAKECMDGOALS))
ifneq ($(filter-out $(addprefix test-,$(CONFIGS)),$(TEST_CONFIG_GOALS)),)
  $(error unknown target '$(firstword $(filter-out $(addprefix test-,$(CONFIGS)),$(TEST_CONFIG_GOALS)))'; known: $(addprefix test-,$(CONFIGS)))
endif

.PHONY: all deps configure build install sim test $(addprefix test-,$(CONFIGS)) regress regress-merge \
        nightly cov mutate formal lint synth fpga bench bench-ops bench-nets networks format gen gen-check clean

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

# The networks of make sim and bench-nets (scripts/gen_networks.py), generated
# into BUILD/networks with the project's Python environment and kept there.
NETS       ?= resnet50 mobilenetv2
NET_ARGS   ?=
NETS_DIR   := $(BUILD)/networks
BENCH_DIR  := $(BUILD)/bench
RTL_CONFIG_BUILT = grep -q '^NPU_RTL_CONFIGS:.*=\(.*;\)\{0,1\}$(CONFIG)\(;.*\)\{0,1\}$$' $(BUILD)/CMakeCache.txt
comma := ,
empty :=
space := $(empty) $(empty)

networks:
	@bash scripts/setup_venv.sh
	.venv/bin/python scripts/gen_networks.py --out $(NETS_DIR) --nets $(subst $(space),$(comma),$(strip $(NETS)))

# npu_net of build folder $(3) (default BUILD) on network $(1) with the arguments $(2).
NPU_NET = $(if $(3),$(3),$(BUILD))/tb/tests/npu_net $(NETS_DIR)/$(1)_qdq.onnx --name $(1) --config $(CONFIG) \
  --input $(NETS_DIR)/$(1)_input.npy --reference $(NETS_DIR)/$(1)_ort_logits.npy --seed $(SIM_SEED) $(2)

# make sim also runs the trained digits CNN and MobileNetV2 through the RTL of CONFIG.
DIGITS := models/digits
sim: configure
	cmake --build $(BUILD) -j $(JOBS) --target npu_demo_$(call CONFIG_ID,$(CONFIG)) npu npu_net
	$(BUILD)/tb/tests/npu_demo_$(call CONFIG_ID,$(CONFIG)) --config $(CONFIG) --seed $(SIM_SEED)
	@if $(RTL_CONFIG_BUILT); then \
	  echo "== the trained digits CNN ($(DIGITS)) through the RTL of $(CONFIG), checked against the simulator"; \
	  $(BUILD)/apps/npu/npu eval $(DIGITS)/digits_qdq.onnx --config $(CONFIG) --backend rtl --check sim \
	    --images $(DIGITS)/test_images.npy --labels $(DIGITS)/test_labels.npy \
	    --reference $(DIGITS)/ort_logits.npy; \
	else \
	  echo "== the networks: no RTL model of $(CONFIG) in this build (NPU_RTL_CONFIGS); skipped"; \
	fi
	@if $(RTL_CONFIG_BUILT); then $(MAKE) --no-print-directory networks NETS=mobilenetv2 && \
	  echo "== MobileNetV2 through the RTL of $(CONFIG), every layer checked against the golden model" && \
	  $(call NPU_NET,mobilenetv2,); fi

bench: bench-ops bench-nets

bench-ops: configure
	cmake --build $(BUILD) -j $(JOBS) --target npu_bench_$(call CONFIG_ID,$(CONFIG))
	$(BUILD)/tb/tests/npu_bench_$(call CONFIG_ID,$(CONFIG)) --config $(CONFIG) --seed $(SIM_SEED)

# The floors of the networks on 16x16 with the default memory model (MAC
# utilization in %, ResNet-50's simulation wall time in s); npu_net marks a
# missed floor and exits 4.
FLOORS_16x16_resnet50    := --floor-util 90 --floor-wall 90
FLOORS_16x16_mobilenetv2 := --floor-util 60
ifeq ($(PGO),1)
NET_BUILD := $(BUILD)/pgo/tree
else ifeq ($(PGO),0)
NET_BUILD := $(BUILD)
else
  $(error PGO is '$(PGO)'; use 1 (profile-guided bench-nets) or 0)
endif
bench-nets: configure networks
ifeq ($(PGO),1)
	@$(MAKE) --no-print-directory networks NETS=mobilenetv2
	bash scripts/pgo_build.sh $(BUILD)/pgo $(CONFIG) $(NETS_DIR) $(JOBS)
else
	@$(RTL_CONFIG_BUILT) || { echo "bench-nets: no RTL model of $(CONFIG) in this build; add it to NPU_RTL_CONFIGS" >&2; exit 1; }
	cmake --build $(BUILD) -j $(JOBS) --target npu_net npu_array_speed_$(call CONFIG_ID,$(CONFIG))
endif
	@mkdir -p $(BENCH_DIR)
	@rate=$$($(NET_BUILD)/tb/block/array/npu_array_speed_$(call CONFIG_ID,$(CONFIG)) --rate-only) || exit 1; \
	echo "== the bare systolic array of $(CONFIG): $$rate cycles/s (the limit of any simulation of it)"; \
	status=0; $(foreach n,$(NETS),echo "== $(n) through the RTL of $(CONFIG)"; \
	  $(call NPU_NET,$(n),--csv $(BENCH_DIR)/$(n)_$(CONFIG).csv --json $(BENCH_DIR)/$(n)_$(CONFIG).json \
	    --array-rate $$rate $(if $(NET_ARGS),,$(FLOORS_$(CONFIG)_$(n))) $(NET_ARGS),$(NET_BUILD)) || status=1;) \
	.venv/bin/python scripts/plot_bench.py $(BENCH_DIR) $(foreach n,$(NETS),$(BENCH_DIR)/$(n)_$(CONFIG).json) || status=1; \
	exit $$status

test: configure
	@bash scripts/run_tests.sh $(TEST_ARGS) $(BUILD)

$(addprefix test-,$(CONFIGS)): test-%: configure
	@bash scripts/run_tests.sh $(TEST_ARGS) --config $* $(BUILD)

# make regress / nightly: scripts/regress.py runs every test labelled random
# once per seed through CTest; shards split the (test, seed) pairs by a hash.
SEEDS         ?= 10
SHARD         ?=
FILTER        ?=
NIGHTLY_SEEDS ?= 100
NIGHTLY_BUILD := $(BUILD)-nightly
NIGHTLY_X_BUILD := $(BUILD)-nightly-x
REGRESS = python3 scripts/regress.py run $(1) --seeds $(2) --jobs $(JOBS) $(if $(SEED),--seed $(SEED)) \
  $(if $(SHARD),--shard $(SHARD)) $(if $(FILTER),--filter '$(FILTER)')

regress: configure
	cmake --build $(BUILD) -j $(JOBS)
	$(call REGRESS,$(BUILD),$(SEEDS))

regress-merge:
	python3 scripts/regress.py merge --out $(BUILD)/regress/merged.xml \
	  $(or $(RESULTS),$(sort $(wildcard $(BUILD)/regress/shard_*_of_*.xml)))

# The nightly regression, then the RTL tests of 4x4 once more in a build
# whose models start from random register and memory contents and turn X
# into random values (NPU_X_RANDOM, seeded by NPU_X_SEED: SEED, else 1).
# The second step runs even when a seed of the first failed (the night's
# report is then whole); make nightly fails when either did.
nightly: deps
	cmake -S . -B $(NIGHTLY_BUILD) -G Ninja -DNPU_RTL_CONFIGS="4x4;16x16"
	cmake --build $(NIGHTLY_BUILD) -j $(JOBS)
	@status=0; $(call REGRESS,$(NIGHTLY_BUILD),$(NIGHTLY_SEEDS)) || status=1; \
	cmake -S . -B $(NIGHTLY_X_BUILD) -G Ninja -DNPU_RTL_CONFIGS=4x4 -DNPU_X_RANDOM=ON || exit 2; \
	cmake --build $(NIGHTLY_X_BUILD) -j $(JOBS) || exit 2; \
	NPU_X_SEED=$(or $(SEED),1) python3 scripts/regress.py run $(NIGHTLY_X_BUILD) --seeds 1 \
	  --jobs $(JOBS) $(if $(SEED),--seed $(SEED)) --filter '^(top|block)_' || status=1; \
	if [ $$status -ne 0 ]; then echo "nightly: a run failed; the reports list it with its replay command:" \
	  "$(NIGHTLY_BUILD)/regress, $(NIGHTLY_X_BUILD)/regress"; fi; exit $$status

# make cov: scripts/coverage.py builds COV_BUILD with NPU_COVERAGE=ON, runs
# the tests with NPU_COV_DIR set and merges what they leave there.
COV_CONFIG ?= 4x4
COV_SEEDS  ?= 1
COV_BUILD  ?= $(BUILD)-cov
cov: deps
	python3 scripts/coverage.py run --build $(COV_BUILD) --config $(COV_CONFIG) --seeds $(COV_SEEDS) \
	  --seed $(SIM_SEED) --jobs $(JOBS)

# make mutate: scripts/mutate.py copies the source into BUILD-mutate/src and
# builds there, so the working tree is never left mutated (docs/testbench.md).
MUTANTS ?=
mutate: deps
	python3 scripts/mutate.py run --build $(BUILD)-mutate --seed $(SIM_SEED) --jobs $(JOBS) \
	  $(if $(MUTANTS),--only '$(MUTANTS)')

formal: deps
	@bash scripts/setup_venv.sh && bash scripts/formal.sh -o $(BUILD)/formal

lint: configure
	cd $(BUILD) && ctest -L lint --output-on-failure

synth: configure
	bash scripts/synth.sh 4x4

# make fpga: CONFIG is passed only when the command line or the environment
# sets it; otherwise the board's default (constraints/<board>/board.toml).
BOARDS := $(notdir $(patsubst %/board.toml,%,$(wildcard constraints/*/board.toml)))
fpga:
	@if [ -z "$(BOARD)" ]; then echo "make fpga: set BOARD to one of: $(BOARDS)" >&2; exit 2; fi
	@bash scripts/setup_venv.sh
	.venv/bin/python scripts/fpga.py --board $(BOARD) --build $(BUILD) \
	  $(if $(filter command line environment,$(origin CONFIG)),--config $(CONFIG))

format: deps
	bash scripts/check_format.sh --fix

gen:
	python3 scripts/gen_spec.py

gen-check:
	python3 scripts/gen_spec.py --check

clean:
	rm -rf $(BUILD)
