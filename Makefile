# Entry points. Each one installs what it needs (scripts/bootstrap.sh), configures and builds.
BUILD := build
SAN := build-san

.PHONY: all deps build build-san run check bench conformance install clean

all: build

deps:
	@sh scripts/bootstrap.sh

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) --buildtype=release -Db_ndebug=if-release >/dev/null

$(SAN)/build.ninja: | deps
	meson setup $(SAN) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false >/dev/null

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

build-san: deps $(SAN)/build.ninja
	ninja -C $(SAN)

# The bundled catalogue.
run: build
	./$(BUILD)/mnsim

# Every test, in the release build and under ASan+UBSan, then the real 6.1 under QEMU
# against the model (conformance/README.md).
check: build build-san
	@python3 tests/run_all.py --conformance $(BUILD) $(SAN)

bench: build
	@MNSIM_BENCH_DEPS=1 sh scripts/bootstrap.sh
	@sh bench/run.sh ./$(BUILD)/mnsim

# The real Linux 6.1 under QEMU/TCG against the recorded trace (conformance/README.md).
# `check` compares the model with the recorded trace (no QEMU); this boots the real kernel.
conformance: build
	@python3 conformance/run --compare

install: build
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(SAN) mnsim-report
