# The two commands (see README.md):
#   make run   install what is missing, build release, serve on 127.0.0.1:8080
#   make test  install what is missing, build with ASan+UBSan, run every test,
#              then the threaded tests again under TSan
#
# Other targets: make bench (benchmark report), make format, make tidy, make clean,
# make fuzz (long libFuzzer runs, FUZZ_SECONDS per target; see fuzz/README.md).

SHELL := /bin/bash
JOBS ?= $(shell nproc)
CONFIG ?= config/tocsin.example.yaml

.PHONY: run test test-dev test-tsan test-fuzz fuzz build-fuzz build-release build-dev bench format \
        tidy clean deps deps-test

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

# libFuzzer (clang): every fuzz target for a short time on a copy of its corpus.
build-fuzz: deps-test
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

test-fuzz: build-fuzz
	ctest --preset fuzz -L fuzz -j $(JOBS)

# Long fuzzing: FUZZ_SECONDS per target, one after another; the corpus grows in
# build/fuzz/fuzz/work/<name>/corpus across runs (merge finds into fuzz/corpus
# by hand, see fuzz/README.md). FUZZ_TARGETS narrows it: FUZZ_TARGETS=config.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= http_router resource_json config event_pattern ingest_payload ledger_verify
fuzz: build-fuzz
	@for t in $(FUZZ_TARGETS); do \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  TOCSIN_FUZZ_SECONDS=$(FUZZ_SECONDS) TOCSIN_FUZZ_KEEP=1 \
	    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    fuzz/run_fuzzer.sh build/fuzz/fuzz/tocsin_$${t}_fuzz fuzz/corpus/$$t \
	    build/fuzz/fuzz/work/$$t $$(test -f fuzz/dict/$$t.dict && echo fuzz/dict/$$t.dict) \
	    || exit 1; \
	done

test: test-dev test-tsan test-fuzz

bench: build-release
	@cmake --build --preset release -j $(JOBS) --target tocsin_seed tocsin_engine_bench \
	  tocsin_alert_storm_bench tocsin_ingest_bench tocsin_pattern_bench
	bench/run_all.sh

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

tidy: deps-test
	@cmake --preset clang-tidy >/dev/null
	@cmake --build --preset clang-tidy -j $(JOBS)

clean:
	rm -rf build
