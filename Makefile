# Thin wrapper over CMake: `make demo` and `make test` do all the set-up.
BUILD ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DEBS := cmake make gcc pkg-config python3 libglpk-dev glpk-utils libcsv-dev libcmocka-dev libqhull-dev libinih-dev libomp-dev libgdal-dev libgeos-dev gdal-bin libmicrohttpd-dev libjansson-dev
DEMO_OUT ?= demo-out

.PHONY: all deps build demo test sanitize clean

all: build

# Installs the Debian packages of $(1) that are missing; as a non-root user
# prints the one apt-get line needed and stops. $(2) says what needs them.
define install_debs
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null || exit 1; \
	  else \
	    echo "$(2) needs Debian packages that are missing; run:"; \
	    echo "  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

deps:
	$(call install_debs,$(DEBS),tqo)

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- -s --no-print-directory

# The year's plan on the bundled instance: 12 territories balanced on
# accounts, 2017 quotas from 2014-2016 with 10% growth, the 60-scenario grid,
# and the report.
demo: build
	@$(BUILD)/tqo validate instances/superstore -o $(DEMO_OUT)/validate
	@echo
	@$(BUILD)/tqo plan instances/superstore -k 12 --balance accounts:10 --potential accounts \
	  --history-until 2016Q4 --growth 10 --scenarios instances/superstore_scenarios.csv -o $(DEMO_OUT)/plan

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The suite under AddressSanitizer and UBSan, in its own build folder, but
# for the tests labelled slow (the real data sets take minutes there).
sanitize: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTQO_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS) -- -s --no-print-directory
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) -LE slow

# MPI ranks (issue 17): `mpirun -n R tqo scenarios` from a -DTQO_MPI=ON
# build in build-mpi; its test runs mpirun -n 1, 2 and 3 against a plain run.
MPI_DEBS := libopenmpi-dev openmpi-bin
.PHONY: deps-mpi build-mpi test-mpi
deps-mpi: deps
	$(call install_debs,$(MPI_DEBS),tqo with MPI)

build-mpi: deps-mpi
	@cmake -S . -B build-mpi -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DTQO_MPI=ON >/dev/null
	@cmake --build build-mpi -j $(JOBS) --target tqo_cli -- -s --no-print-directory

test-mpi: build-mpi
	@bash tests/cli/mpi.sh build-mpi/tqo

clean:
	rm -rf $(BUILD) build-asan build-mpi $(DEMO_OUT)

# The benchmark harness (bench/run.py, issue 6). Its peers are used only
# here: HiGHS through python3-scipy, CLP and CBC; bc for the bench scripts.
BENCH_DEBS := coinor-clp coinor-cbc python3-scipy bc

.PHONY: bench-deps bench-quick bench bench-prop

bench-deps:
	$(call install_debs,$(BENCH_DEBS),the benchmark)

# About 3 minutes on 2 cores; writes bench/RESULTS.md, results.csv, scaling.svg.
bench-quick: build bench-deps
	@/usr/bin/python3 bench/run.py --suite quick --tqo $(BUILD)/tqo --out bench

# The long differential property test of tqo align against --exact (issue
# 11): 1000 random cases of up to 150 units, 25-40 minutes on 2 cores;
# writes bench/prop_long.json and .csv. Needs no peer.
bench-prop: build
	@bash bench/prop_long.sh $(BUILD)/tqo

# The full suite: under 30 minutes on 2 cores.
bench: build bench-deps
	@/usr/bin/python3 bench/run.py --suite full --tqo $(BUILD)/tqo --out bench
