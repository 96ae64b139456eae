# pyimg — build, demo and test.
#
# The two set-up commands (README):
#   make demo   builds pyimg and checks an example project
#   make test   installs what the tests need, then runs every test (unit + e2e)

GO        ?= go
BIN       ?= bin/pyimg
FUZZTIME  ?= 50000x
STATICCHECK_VERSION ?= v0.8.2

.PHONY: all build demo test test-deps unit e2e vet fmt-check staticcheck fuzz bench clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/pyimg

demo: build
	@echo "+ $(BIN) check examples/fastapi-uv"
	@$(BIN) check examples/fastapi-uv; code=$$?; \
	  echo "(exit $$code: 0 = ok, 1 = Dockerfile findings at or above fail-on)"; \
	  [ $$code -le 1 ]

test-deps:
	./scripts/install-test-deps.sh

# Unit tests, then the end-to-end tier against real buildah images, a real
# docker-registry and debootstrap rootfs (fixtures are cached under
# $${XDG_CACHE_HOME:-~/.cache}/pyimg/e2e).
test: test-deps
	$(GO) test -count=1 -timeout 30m ./...

unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /e2e)

e2e: test-deps
	$(GO) test -count=1 -timeout 30m -v ./e2e/...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

staticcheck:
	@command -v staticcheck >/dev/null 2>&1 || PATH="$$($(GO) env GOPATH)/bin:$$PATH" command -v staticcheck >/dev/null 2>&1 || \
	  $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	PATH="$$($(GO) env GOPATH)/bin:$$PATH" staticcheck ./...

# Short fuzz runs of every parser of untrusted input. The budget is an
# execution count ("50000x"), not a duration: Go 1.26's coordinator can
# report a spurious "context deadline exceeded" when a duration runs out
# (golang/go#75804, fixed in Go 1.27).
fuzz:
	@set -e; for t in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -h '^func Fuzz' $$t/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "+ fuzz $$t $$f ($(FUZZTIME))"; \
	    $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$t; \
	  done; done

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./lint/... ./layers/... ./analyze/... ./inventory/... ./vuln/... ./pypi/... ./native/... ./compare/... ./build/...

clean:
	rm -rf bin
