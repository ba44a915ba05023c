# gongshi — see README.md. Every target works on a fresh machine after `go mod download`.
GO        ?= go
BIN       := bin/gongshi
PKGS      := ./...
BENCH_N   ?= 1000000

# make load: a realistic request mix (vegeta, in `gongshi load`) against a real `gongshi serve`
# on loopback (rate limit and jobs off), then each request class alone as a ratio to a plain
# net/http hello-world server measured by the same client in the same run, then a report (also
# as JSON); exits 1 on any 5xx or transport error. The load generator runs on one CPU and the
# servers on another (taskset, util-linux; without it the report says NOT PINNED).
#   LOAD_DATA      data folder to serve; empty: LOAD_WORK/data, generated and imported once
#   LOAD_N         entities generated into LOAD_WORK when LOAD_DATA is empty (default 1000000)
#   LOAD_WORK      work folder for the generated data (default load-work/LOAD_N; reused)
#   LOAD_DURATION  measured attack (default 60s), after LOAD_WARMUP (default 10s)
#   LOAD_WORKERS   concurrent clients, closed loop (default 4)
#   LOAD_RATE      requests/s, open loop instead (default 0: closed loop)
#   LOAD_CLASS     each request class and the hello-world floor alone (default 10s; 0s: skip)
#   LOAD_JSON      where the JSON report goes (default load-report-LOAD_N.json)
LOAD_N        ?= 1000000
LOAD_DATA     ?=
LOAD_WORK     ?= load-work/$(LOAD_N)
LOAD_DURATION ?= 60s
LOAD_WARMUP   ?= 10s
LOAD_WORKERS  ?= 4
LOAD_RATE     ?= 0
LOAD_CLASS    ?= 10s
LOAD_JSON     ?= load-report-$(LOAD_N).json

# make scale: build time, index size, peak memory and query latency by shard count; the data
# is generated and loaded into the document store once, then indexed once per shard count.
#   SCALE_N        entities (default 5000000)
#   SCALE_SHARDS   shard counts (default 1,2,4)
#   SCALE_QUERIES  queries per class and shard count (default 100)
#   SCALE_DIR      work folder, absent or empty (default: a temporary folder, removed afterwards)
#   SCALE_JSON     where the JSON results go (default scale-SCALE_N.json)
SCALE_N       ?= 5000000
SCALE_SHARDS  ?= 1,2,4
SCALE_QUERIES ?= 100
SCALE_DIR     ?=
SCALE_JSON    ?= scale-$(SCALE_N).json

# make bench-delta: the same 1,000-row penalty delta imported into data folders of each size (the
# snapshots and data folders are generated once and kept in DELTA_DIR), its time and peak RSS,
# and how long until a running server shows it in search, the entity, the list, the change log
# and the day's files; with the full import's rate beside a plain Bleve index of the same names.
#   DELTA_SIZES    entities per data folder (default 20000,200000)
#   DELTA_DIR      work folder (default bench-delta)
#   DELTA_JSON     where the JSON results go (default bench-delta.json)
DELTA_SIZES ?= 20000,200000
DELTA_DIR   ?= bench-delta
DELTA_JSON  ?= bench-delta.json

# make lint: gofmt, go vet, staticcheck (pinned; fetched through the module proxy) and a go.mod
# that go mod tidy would leave as it is.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run build test test-short fuzz bench bench-delta load scale vet lint fmt clean

run: build                      ## generate demo data once, import and serve on 127.0.0.1:8080
	./$(BIN) demo

build:
	$(GO) build -o $(BIN) ./cmd/gongshi

test: vet                       ## all tests with the race detector (needs the services .ci/run installs)
	$(GO) test -race -count=1 -timeout 40m $(PKGS)

test-short:                     ## the tests that need no PostgreSQL, Redis, Chromium or node (they skip with -short)
	$(GO) test -short -count=1 -timeout 20m $(PKGS)

fuzz:                           ## each fuzz target for a bounded time
	./.ci/fuzz 20s

bench: build                    ## search benchmark against pg_trgm and SQLite FTS5 ($(BENCH_N) entities)
	./$(BIN) bench --entities $(BENCH_N)

bench-delta: build              ## one 1,000-row delta at $(DELTA_SIZES) entities: time, peak RSS, when it is served
	./$(BIN) bench-delta --sizes $(DELTA_SIZES) --dir $(DELTA_DIR) --json $(DELTA_JSON)

load: build                     ## load test against a real server ($(LOAD_N) entities unless LOAD_DATA)
	./$(BIN) load $(if $(LOAD_DATA),--data $(LOAD_DATA),--work $(LOAD_WORK) --entities $(LOAD_N)) \
		--duration $(LOAD_DURATION) --warmup $(LOAD_WARMUP) --workers $(LOAD_WORKERS) --rate $(LOAD_RATE) \
		--class-duration $(LOAD_CLASS) --json $(LOAD_JSON)

scale: build                    ## build and query cost by shard count ($(SCALE_N) entities)
	./$(BIN) bench --entities $(SCALE_N) --shard-counts $(SCALE_SHARDS) --queries $(SCALE_QUERIES) \
		--no-postgres --json $(SCALE_JSON) $(if $(SCALE_DIR),--dir $(SCALE_DIR))

lint: vet
	$(GO) run $(STATICCHECK) $(PKGS)
	$(GO) mod tidy -diff

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet $(PKGS)

clean:
	rm -rf bin demo-data
