# depsweep — build, test, benchmark, fuzz.
GO        ?= go
PKGS      := ./...
FUZZTIME  ?= 60s
SMOKETIME ?= 2s
# FUZZRETRY is the second run of a target that failed with nothing but
# "context deadline exceeded" and wrote no failing input: Go 1.26's fuzz
# coordinator can report its own -fuzztime deadline as a failure when a
# worker is slow to stop (golang/go#75804, fixed in Go 1.27). The second
# run is counted in executions, which sets no deadline to race. A real
# finding writes its input under testdata/fuzz and is never retried.
FUZZRETRY ?= 2000x
BENCHTIME ?= 1s
# Go minimizes every new interesting input for up to a minute by default,
# which on a small machine leaves a short run with almost no executions.
FUZZMIN   ?= 2s

.PHONY: all build static dist reproducible test unit fuzz-smoke fuzz bench lint tidy update demo bench-fleet

all: build test

# VERSION is embedded in the binary ('depsweep version' prints it with the
# embedded feed's sha256).
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o bin/depsweep ./cmd/depsweep

# Release builds: static (no cgo), no file system paths (-trimpath), no
# build id and no symbol table, so that the same commit gives the same
# bytes on any machine. `make reproducible` checks that.
RELEASE_LDFLAGS := -s -w -buildid= -X main.version=$(VERSION)
GOBUILD_RELEASE  = CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(RELEASE_LDFLAGS)"
OUT       ?= bin/depsweep-static
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
DIST      ?= dist

## static: one static release binary for this machine (the container image runs this target).
static:
	$(GOBUILD_RELEASE) -o $(OUT) ./cmd/depsweep

## dist: static binaries for every platform, an SBOM of each (depsweep version --sbom), SHA256SUMS.
dist:
	@rm -rf $(DIST) && mkdir -p $(DIST)
	@set -e; for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  bin=depsweep-$(VERSION)-$$os-$$arch$$ext; \
	  echo "dist/$$bin"; \
	  GOOS=$$os GOARCH=$$arch $(GOBUILD_RELEASE) -o $(DIST)/$$bin ./cmd/depsweep; \
	done
	@$(GOBUILD_RELEASE) -o $(DIST)/.depsweep-host ./cmd/depsweep
	@set -e; cd $(DIST) && for b in depsweep-*; do \
	  SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct 2>/dev/null || echo 0) \
	    ./.depsweep-host version --sbom --deterministic --binary $$b --binary-version $(VERSION) --output $$b.cdx.json; done
	@rm -f $(DIST)/.depsweep-host
	@cd $(DIST) && sha256sum depsweep-* > SHA256SUMS && cat SHA256SUMS

## reproducible: build the release binaries twice from two copies of the tree and compare SHA256SUMS.
reproducible:
	bash .ci/reproducible.sh

## test: everything CI runs — every fuzz target briefly, then vet and the unit, golden, CLI and schema tests.
test: fuzz-smoke unit

unit:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 $(PKGS)
	cd deploy/kubernetes/validate && $(GO) vet ./... && $(GO) test -count=1 ./...

# Runs every Fuzz* target of every package for $(1). A package's test binary
# is built once, with the fuzzing instrumentation, and run once per target
# from the package directory (seed corpus and crashers under testdata/fuzz,
# the generated corpus in the go command's cache, as go test -fuzz does);
# packages without a Fuzz function are not built at all.
define run-fuzz
	@set -e; bin=$$(mktemp -d); trap 'rm -rf "$$bin"' EXIT; cache=$$($(GO) env GOCACHE)/fuzz; \
	for pd in $$($(GO) list -f '{{.ImportPath}}={{.Dir}}' $(PKGS)); do \
	  pkg=$${pd%%=*}; dir=$${pd#*=}; \
	  grep -qs '^func Fuzz' $$dir/*_test.go || continue; \
	  $(GO) test -c -fuzz=. -o "$$bin/fuzz.test" $$pkg; \
	  for t in $$(cd $$dir && "$$bin/fuzz.test" -test.list '^Fuzz' | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$t ($(1))"; \
	    log=$$(mktemp); \
	    run() { (cd $$dir && "$$bin/fuzz.test" -test.run '^$$' -test.fuzz "^$$t$$" -test.fuzztime $$1 \
	      -test.fuzzminimizetime $(FUZZMIN) -test.fuzzcachedir "$$cache/$$pkg") >$$log 2>&1; }; \
	    run $(1) || { grep -qx '    context deadline exceeded' $$log && ! grep -q 'Failing input written' $$log && \
	      echo "  $$t: only the -fuzztime deadline failed (golang/go#75804); again for $(FUZZRETRY)" && run $(FUZZRETRY); } || \
	      { tail -n 20 $$log; rm -f $$log; echo "FAIL: $$t in $$pkg (crasher saved under $$pkg/testdata/fuzz)"; exit 1; }; \
	    grep 'execs:' $$log | tail -n 1 | sed 's/^/  /'; rm -f $$log; \
	  done; \
	  rm -f "$$bin/fuzz.test"; \
	done

endef

fuzz-smoke:
	$(call run-fuzz,$(SMOKETIME))

## fuzz: every fuzz target for $(FUZZTIME) (default one minute each).
fuzz:
	$(call run-fuzz,$(FUZZTIME))

## bench: parser throughput against osv-scanner's pkg/lockfile, matcher and SBOM benchmarks.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

## lint: vet, module checksums, staticcheck and govulncheck (pinned, built through the module proxy).
# staticcheck is pinned by its module version (v0.6.1 is release 2025.1.1):
# the proxy resolves a semver, not the release name. govulncheck needs its
# database: vuln.go.dev, or VULNDB=file:///path for an offline copy.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.6.1
GOVULNCHECK ?= golang.org/x/vuln/cmd/govulncheck@v1.1.4
VULNDB      ?=

lint:
	$(GO) vet $(PKGS)
	$(GO) mod verify
	$(GO) run $(STATICCHECK) $(PKGS)
	$(GO) run $(GOVULNCHECK) $(if $(VULNDB),-db $(VULNDB)) $(PKGS)

tidy:
	$(GO) mod tidy

## update: rewrite golden files, package by package (go test ./... -update fails where the flag is not defined).
update:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  if grep -rqs 'flag.Bool("update"' $$($(GO) list -f '{{.Dir}}' $$pkg)/*_test.go; then \
	    $(GO) test -count=1 $$pkg -update; fi; done

## demo: the main job on the embedded feed over the demo fleet in testdata/.
demo:
	$(GO) run ./cmd/depsweep scan --registry-metadata testdata/fixtures/registry --fail-on none testdata/demo-fleet

## bench-fleet: a full sweep of a synthetic fleet (N=100, 1000) against osv-scanner and syft (bench/fleet.sh).
bench-fleet:
	bench/fleet.sh $(FLEET_N)
