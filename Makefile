# Thin wrapper around the scripts and CMake. The two commands of the README:
#   make run    install what is missing, fetch the datasets, build, start Latent Lab
#   make test   the same set-up, then the whole test suite through CTest
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
RUN_DIR ?= runs/swissroll-ae

.PHONY: run test deps data build clean

deps:
	@bash scripts/install-deps.sh

data: deps
	@bash scripts/fetch-datasets.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The desktop program when there is a display, else the headless CLI. (Both choose how
# idle OpenMP threads wait for themselves, see app/startup/OpenMpWaiting.cpp.)
run: data build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ -x $(BUILD_DIR)/bin/latentlab ]; then \
		$(BUILD_DIR)/bin/latentlab; \
	else \
		echo "no display: training with latentlab-cli instead"; \
		$(BUILD_DIR)/bin/latentlab-cli train --preset swissroll-ae --out $(RUN_DIR); \
	fi

test: data build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR)
