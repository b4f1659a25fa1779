# The two commands (see README.md):
#   make run   install what is missing, build release, serve on 127.0.0.1:8080
#   make test  install what is missing, build with ASan+UBSan, run every test,
#              then the threaded tests again under TSan
#
# Other targets: make bench (benchmark report), make format, make tidy, make clean.

SHELL := /bin/bash
JOBS ?= $(shell nproc)
CONFIG ?= config/tocsin.example.yaml

.PHONY: run test test-dev test-tsan build-release build-dev bench format tidy clean deps deps-test

deps:
	@scripts/bootstrap.sh build

deps-test:
	@scripts/bootstrap.sh test

build-release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS) --target tocsin

run: build-release
	@mkdir -p var
	./build/release/src/app/tocsin serve --config $(CONFIG)

build-dev: deps-test
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)

test-dev: build-dev
	ctest --preset dev -j $(JOBS)

# Only the threaded tests (labels "threads" and "integration") run under TSan.
test-tsan: deps-test
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS) --target tsan_tests
	ctest --preset tsan -L 'threads|integration' -j $(JOBS)

test: test-dev test-tsan

bench: build-release
	bench/run_all.sh

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

tidy: deps-test
	@cmake --preset clang-tidy >/dev/null
	@cmake --build --preset clang-tidy -j $(JOBS)

clean:
	rm -rf build
