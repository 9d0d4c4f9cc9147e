# simdloss — build, test and generate.
#
#   make test      everything CI runs (vet, generated-code freshness, tests per level, -race, purego)
#   make bench     the benchmark report (see bench/)
#   make generate  rewrite every generated file

GO      ?= go
GOFLAGS ?=
export GOFLAGS

.PHONY: all test vet fmt-check generate check-generated unit race purego gen-test bench bench-go fuzz

all: test

test: fmt-check vet check-generated gen-test unit race purego
	@echo "make test: all checks passed"

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	GOARCH=arm64 $(GO) vet ./...
	cd gen && $(GO) vet ./...
	cd bench && $(GO) vet ./...

generate:
	cd gen && $(GO) run ./generic -out ../generic/elem_gen.go

# Regenerate into a temporary copy and fail when the committed output differs.
check-generated:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	(cd gen && $(GO) run ./generic -out $$tmp/elem_gen.go) && \
	if ! cmp -s $$tmp/elem_gen.go generic/elem_gen.go; then \
		echo "generic/elem_gen.go is stale: run make generate"; diff $$tmp/elem_gen.go generic/elem_gen.go | head -20; exit 1; \
	fi; echo "generated code is fresh"

# Unit tests at every kernel level this machine has (allocation tests run here, not under -race).
unit:
	$(GO) test -count=1 ./...

race:
	$(GO) test -count=1 -race -short ./...

purego:
	$(GO) test -count=1 -tags purego ./...

gen-test:
	cd gen && $(GO) test -count=1 ./...

bench:
	@echo "make bench: the benchmark report (bench/cmd/lossbench) is not there yet; 'make bench-go' runs the go test benchmarks"

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./losses/...

FUZZTIME ?= 10s
fuzz:
	@echo "make fuzz: no fuzz targets yet"
