# simdloss — build, test and generate.
#
#   make test      everything CI runs (vet, generated-code freshness, tests per level, -race, purego, arm64 under qemu)
#   make bench     the benchmark report (see bench/)
#   make generate  rewrite every generated file
#   make test-arm64  the suite for GOARCH=arm64 under qemu-aarch64, at the neon and generic levels

GO      ?= go
GOFLAGS ?=
export GOFLAGS

.PHONY: all test vet fmt-check generate check-generated unit race purego gen-test bench bench-deps bench-go fuzz fuzz-smoke accuracy \
	test-arm64 accuracy-arm64 neon-golden loop-cost

all: test

test: fmt-check vet check-generated gen-test unit race purego fuzz-smoke test-arm64
	@echo "make test: all checks passed"

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	GOARCH=arm64 $(GO) vet ./...
	cd gen && $(GO) vet ./...
	cd bench && $(GO) vet ./...

# Regenerate into a temporary copy of the tree (same relative paths, so the
# generators' headers match) and fail when the committed output differs.
GENERATED = generic/elem_gen.go asm/elem_amd64.s asm/elem_amd64.go asm/levels_amd64.go \
	asm/elem_arm64.s asm/elem_arm64.go asm/levels_arm64.go
GEN_AMD64 = $(GO) run ./amd64 -pkg asm -out ../asm/elem_amd64.s -stubs ../asm/elem_amd64.go -table ../asm/levels_amd64.go
GEN_ARM64 = $(GO) run ./arm64 -pkg asm -out ../asm/elem_arm64.s -stubs ../asm/elem_arm64.go -table ../asm/levels_arm64.go
GEN_GENERIC = $(GO) run ./generic -out ../generic/elem_gen.go

generate:
	cd gen && $(GEN_GENERIC)
	cd gen && $(GEN_AMD64)
	cd gen && $(GEN_ARM64)

check-generated:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	mkdir -p $$tmp/asm $$tmp/generic && cp -r gen $$tmp/gen && \
	(cd $$tmp/gen && $(GEN_GENERIC) && $(GEN_AMD64) && $(GEN_ARM64)) || exit 1; \
	for f in $(GENERATED); do \
		if ! cmp -s $$tmp/$$f $$f; then \
			echo "$$f is stale: run make generate"; diff $$tmp/$$f $$f | head -20; exit 1; \
		fi; \
	done; echo "generated code is fresh"

# Unit tests at every kernel level this machine has (allocation tests run here, not under -race);
# then the public-API suite once more with each level forced through SIMDLOSS_KERNEL.
LEVELS ?= generic avx2 avx512
unit:
	$(GO) test -count=1 ./...
	@for l in $(LEVELS); do \
		if $(GO) run ./internal/cmd/levels | grep -qx $$l; then \
			echo "== SIMDLOSS_KERNEL=$$l"; SIMDLOSS_KERNEL=$$l $(GO) test -count=1 -short ./losses/ || exit 1; \
		else echo "== level $$l: not available on this machine, skipped"; fi; \
	done

race:
	$(GO) test -count=1 -race -short ./...

purego:
	$(GO) test -count=1 -tags purego ./...

gen-test:
	cd gen && $(GO) test -count=1 ./...

# Every float32 in [1e-7, 1] through each level's vectorised logarithm, every
# float32 in [-104, 89] through its exponential and every float32 in
# (-1, 1e10] through its log1p (and the sampled float64 and special-value
# checks); several minutes.
accuracy:
	SIMDLOSS_EXHAUSTIVE=1 $(GO) test -count=1 -timeout 60m -run 'TestLog|TestExp' -v ./asm | grep -E 'ulp|^(ok|FAIL|---)'

# The benchmark report: every loss x type x level x size beside a plain Go
# loop, PyTorch and NumPy (Debian's, installed by bench-deps when root), into
# bench/report/ (report.md, results.csv, summary.md, charts); about 10 minutes.
# make bench BENCHFLAGS=-quick for the reduced grid (under a minute).
BENCH_PYTHON ?= /usr/bin/python3
BENCHFLAGS ?=
bench: bench-deps
	cd bench && $(GO) run ./cmd/lossbench -out report -python $(BENCH_PYTHON) $(BENCHFLAGS)

# The peers of the report: Debian's python3-torch and python3-numpy. Without
# root or apt-get the report lists them as missing.
bench-deps:
	@if $(BENCH_PYTHON) -c 'import torch, numpy' >/dev/null 2>&1; then \
		echo "bench-deps: PyTorch and NumPy present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "bench-deps: installing python3-torch python3-numpy"; \
		{ apt-get -o DPkg::Lock::Timeout=600 update -qq && \
		  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq python3-torch python3-numpy; } \
		|| echo "bench-deps: could not install them; the report lists the missing peers as missing"; \
	else \
		echo "bench-deps: PyTorch or NumPy missing, and not root with apt-get: the report lists them as missing"; \
	fi

# arm64 for real under qemu-user (installed when missing; CI runs as root).
# The whole suite with -short (package asm and the fuzz kernel targets run
# every level themselves; the best level must be neon: cpuid under qemu
# reports ASIMD), and the public API with each level forced through
# SIMDLOSS_KERNEL.
# Go's fuzzer re-executes its test binary, which qemu-user without binfmt
# cannot, so package fuzz runs its seed corpora as plain tests here.
QEMU ?= qemu-aarch64
ARM64_TEST = GOARCH=arm64 $(GO) test -exec $(QEMU) -short -count=1
test-arm64:
	@command -v $(QEMU) >/dev/null || (apt-get update && apt-get install -y qemu-user)
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	GOARCH=arm64 $(GO) build -o $$tmp/levels ./internal/cmd/levels && \
	levels=$$($(QEMU) $$tmp/levels | tr '\n' ' ') && echo "== arm64 levels under $(QEMU): $$levels" && \
	case "$$levels" in "neon generic ") ;; *) echo "expected levels 'neon generic'"; exit 1;; esac
	$(ARM64_TEST) $$($(GO) list ./... | grep -v '/losses$$')
	@for l in neon generic; do \
		echo "== arm64 SIMDLOSS_KERNEL=$$l"; SIMDLOSS_KERNEL=$$l $(ARM64_TEST) ./losses/ || exit 1; \
	done

# make accuracy for arm64, under qemu: every float32 in [1e-7, 1] through the
# neon logarithm, every float32 in [-104, 89] through its exponential and every
# float32 in (-1, 1e10] through its log1p (split over GOMAXPROCS goroutines),
# with the sampled float64 and special-value checks; the generic level's sweeps
# are left to make accuracy. About 25 CPU minutes: some 15 minutes on 2 idle
# cores, an hour and a half on 2 shared ones.
accuracy-arm64:
	@command -v $(QEMU) >/dev/null || (apt-get update && apt-get install -y qemu-user)
	@out=$$(mktemp); \
	SIMDLOSS_EXHAUSTIVE=1 GOARCH=arm64 $(GO) test -exec $(QEMU) -count=1 -timeout 180m \
		-run 'TestLog.*/neon|TestLogSpecials|TestArm64/neon' -v ./asm >$$out 2>&1; rc=$$?; \
	grep -E 'ulp|^(ok|FAIL|---)|panic' $$out; rm -f $$out; exit $$rc

# Regenerate gen/neon's golden encodings with the GNU assembler (Debian binutils-aarch64-linux-gnu).
neon-golden:
	@command -v aarch64-linux-gnu-as >/dev/null || (apt-get update && apt-get install -y binutils-aarch64-linux-gnu)
	cd gen && $(GO) test -count=1 -run TestEncodingsMatchGNUAssembler ./neon -update

# Instructions per element in each kernel's main loop, NEON next to AVX2 and AVX-512 (README).
loop-cost:
	$(GO) run ./internal/cmd/loopcost asm/elem_amd64.s asm/elem_arm64.s

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./losses/...

# Every fuzz target for FUZZTIME each (make fuzz FUZZTIME=10m); make test runs
# a smoke of SMOKE_FUZZTIME each, and plain go test replays the seed corpora.
FUZZTIME ?= 10s
SMOKE_FUZZTIME ?= 2s
fuzz:
	FUZZTIME=$(FUZZTIME) bash fuzz/smoke.sh

fuzz-smoke:
	FUZZTIME=$(SMOKE_FUZZTIME) bash fuzz/smoke.sh
