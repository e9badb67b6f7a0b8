# amulet: the targets a developer and CI use. `make test` is what CI runs.
GO        ?= go
PKGS      := ./...
BIN       := amulet-run
FUZZTIME  ?= 60s
STATICCHECK_VERSION ?= v0.8.2

.PHONY: build test bench lint fuzz clean vocab llama-bench

build:
	$(GO) build -o $(BIN) ./cmd/amulet-run

# Every test, including fuzz-corpus replay and the llama.cpp reference comparisons
# (these read ../shared and skip with a message when it is absent).
test: vocab
	$(GO) vet $(PKGS)
	$(GO) test -count=1 $(PKGS)

# llama.cpp's tokenizer test vocabularies and chat templates, fetched once into .cache/
# (npm pack node-llama-cpp). Offline, the tests that need them skip with a message.
vocab:
	@tokenizer/testdata/fetch-vocab.sh || echo "warning: could not fetch llama.cpp test vocabularies; their tests will skip" >&2

bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x $(PKGS)

# llama.cpp's own llama-bench, built natively into .cache/llama-bench/ (cmake, g++; ~5 min),
# the like-for-like reference of `go run ./bench/compare` at several threads.
llama-bench:
	bench/build-llama-bench.sh

lint:
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $(PKGS)

# Longer fuzzing: each fuzz target for FUZZTIME.
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; \
	    $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 100x $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -f $(BIN)
