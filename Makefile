# Thin wrapper around the scripts and CMake. The two commands of the README:
#   make run    install what is missing, fetch the datasets, build, start Latent Lab
#   make test   the same set-up, then the whole test suite through CTest
#   make fuzz   builds the libFuzzer targets (clang, ASan + UBSan) and runs each for
#               FUZZ_SECONDS on its corpus (fuzz/README.md)
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
RUN_DIR ?= runs/swissroll-grae

.PHONY: run test deps data build clean fuzz

deps:
	@bash scripts/install-deps.sh
	@bash scripts/install-onnxruntime.sh

data: deps
	@bash scripts/fetch-datasets.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The desktop program when there is a display, else the headless CLI. (Both choose how
# idle OpenMP threads wait for themselves, see app/startup/OpenMpWaiting.cpp.)
run: data build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ -x $(BUILD_DIR)/bin/latentlab ]; then \
		$(BUILD_DIR)/bin/latentlab --preset swissroll-grae --train; \
	else \
		echo "no display: training with latentlab-cli instead"; \
		$(BUILD_DIR)/bin/latentlab-cli train --preset swissroll-grae --out $(RUN_DIR); \
	fi

test: data build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# Each target in turn, one process at a time; new inputs go to fuzz/work/ (not the seed
# corpus); exits non-zero if any target found a crash, leak, timeout or sanitizer report.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= idx csv model config
FUZZ_CMAKE_ARGS ?= -DLATENTLAB_BUILD_GUI=OFF -DLATENTLAB_BUILD_TESTS=OFF
fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD_DIR) -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -DNDEBUG" -DLATENTLAB_FUZZ=ON \
		-DLATENTLAB_SANITIZE=address,undefined $(FUZZ_CMAKE_ARGS) >/dev/null
	@cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target fuzz_all
	@bash fuzz/run.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD_DIR)
