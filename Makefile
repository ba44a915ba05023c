# gongshi — see README.md. Every target works on a fresh machine after `go mod download`.
GO        ?= go
BIN       := bin/gongshi
PKGS      := ./...
BENCH_N   ?= 1000000

.PHONY: run build test test-short fuzz bench vet fmt clean

run: build                      ## generate demo data once, import and serve on 127.0.0.1:8080
	./$(BIN) demo

build:
	$(GO) build -o $(BIN) ./cmd/gongshi

test: vet                       ## all tests (needs the services .ci/run installs)
	$(GO) test -count=1 -timeout 30m $(PKGS)

test-short:
	$(GO) test -short -count=1 $(PKGS)

fuzz:                           ## each fuzz target for a bounded time
	./.ci/fuzz 20s

bench: build                    ## search benchmark against pg_trgm and SQLite FTS5 ($(BENCH_N) entities)
	./$(BIN) bench --entities $(BENCH_N)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet $(PKGS)

clean:
	rm -rf bin demo-data
