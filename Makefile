# pmsignal: prediction-market signal daemon.
#
# Targets: all (default), test, asan, fuzz, valgrind, lint, bench,
# conformance, demo, install, run, clean (docs/TESTING.md: fuzz, valgrind,
# lint).
# Objects and binaries go under $(BUILD) (default build/); `make asan` builds a
# sanitized copy under build/asan/ and runs the whole suite there.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DESTDIR    ?=
BUILD      ?= build

CC         ?= cc
PKG_CONFIG ?= pkg-config
PKGS       := libevent libcurl libcjson sqlite3 libxml-2.0 libutf8proc libhs libsystemd
TEST_PKGS  := check zlib

CFLAGS     ?= -O2 -g
PM_CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ilib -Idaemon \
              $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PM_LIBS    := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm
TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null)

ifeq ($(FUZZ),1)
PM_CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
endif
ifeq ($(SANITIZE),1)
PM_CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=address,undefined
endif

# lib/: the pure library.  daemon/: event-loop glue; pmsignald.c and the
# pmsignalctl*.c files hold the two programs' main()s, the rest goes into a
# static library that the unit tests link too.
LIB_SRCS   := $(sort $(wildcard lib/*.c))
CTL_SRCS   := $(sort $(wildcard daemon/pmsignalctl*.c))
DMAIN_SRCS := daemon/pmsignald.c
DLIB_SRCS  := $(filter-out $(CTL_SRCS) $(DMAIN_SRCS),$(sort $(wildcard daemon/*.c)))
UNIT_SRCS  := $(sort $(wildcard tests/unit/test-*.c))
BENCH_SRCS := $(sort $(wildcard tests/bench/bench-*.c))
FUZZ_SRCS  := $(sort $(wildcard tests/fuzz/fuzz-*.c))

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIB_OBJS   := $(call obj,$(LIB_SRCS))
DLIB_OBJS  := $(call obj,$(DLIB_SRCS))
CTL_OBJS   := $(call obj,$(CTL_SRCS))
DMAIN_OBJS := $(call obj,$(DMAIN_SRCS))
UNIT_BINS  := $(patsubst %.c,$(BUILD)/%,$(UNIT_SRCS))
BENCH_BINS := $(patsubst %.c,$(BUILD)/%,$(BENCH_SRCS))
FUZZ_BINS  := $(patsubst %.c,$(BUILD)/%,$(FUZZ_SRCS))
# Each fuzz target also links with a plain main() that runs it over files,
# so `make test` replays the seed corpora and every kept crash input.
FUZZ_REPLAY_BINS := $(patsubst tests/fuzz/fuzz-%.c,$(BUILD)/tests/fuzz/replay-%,$(FUZZ_SRCS))

LIBPM      := $(BUILD)/libpmsignal.a
LIBPMD     := $(BUILD)/libpmsignald.a
PMSIGNALD  := $(BUILD)/pmsignald
PMSIGNALCTL := $(BUILD)/pmsignalctl

.PHONY: all test unit regress asan bench conformance install run clean deps \
        test-run bench-run run-daemon fuzz fuzz-build fuzz-replay valgrind lint \
        demo demo-run
.DELETE_ON_ERROR:
.SECONDARY:

all: $(PMSIGNALD) $(PMSIGNALCTL) $(UNIT_BINS) $(BENCH_BINS) $(FUZZ_REPLAY_BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(PM_CFLAGS) $(TEST_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIBPM): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(LIBPMD): $(DLIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(PMSIGNALD): $(DMAIN_OBJS) $(LIBPMD) $(LIBPM)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PM_LIBS)

$(PMSIGNALCTL): $(CTL_OBJS) $(LIBPMD) $(LIBPM)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PM_LIBS)

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(LIBPMD) $(LIBPM)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PM_LIBS) $(TEST_LIBS)

$(BUILD)/tests/bench/%: $(BUILD)/tests/bench/%.o $(LIBPMD) $(LIBPM)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PM_LIBS)

$(BUILD)/tests/fuzz/replay-%: $(BUILD)/tests/fuzz/fuzz-%.o $(BUILD)/tests/fuzz/replay-main.o $(LIBPMD) $(LIBPM)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PM_LIBS)

$(BUILD)/tests/fuzz/fuzz-%: $(BUILD)/tests/fuzz/fuzz-%.o $(LIBPMD) $(LIBPM)
	$(CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $^ $(PM_LIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The two newcomer commands install missing Debian packages first, then
# re-enter make so that pkg-config sees them.
deps:
	@scripts/install-deps

test: deps
	@$(MAKE) --no-print-directory test-run

test-run: unit fuzz-replay regress

unit: all
	@BUILD=$(BUILD) tests/run-unit $(UNIT_BINS)

fuzz-replay: all
	@BUILD=$(BUILD) tests/fuzz/replay

regress: all
	@BUILD=$(BUILD) tests/run-regress

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=1 test-run

bench: deps
	@$(MAKE) --no-print-directory CFLAGS="-O2 -g -DNDEBUG" bench-run

bench-run: all
	@BUILD=$(BUILD) tests/bench/run

# libFuzzer needs clang; objects go to build/fuzz/.  FUZZ_SECONDS per
# target; FUZZ_TARGETS="feed-xml date" runs only those; FUZZ_ARGS adds
# libFuzzer flags (tests/fuzz/run).
fuzz: deps
	@$(MAKE) --no-print-directory CC=clang BUILD=build/fuzz FUZZ=1 fuzz-build
	@BUILD=build/fuzz tests/fuzz/run $(or $(FUZZ_SECONDS),10)

fuzz-build: $(FUZZ_BINS)

valgrind: all
	@BUILD=$(BUILD) tests/run-valgrind $(UNIT_BINS)

lint:
	@tests/run-lint $(PM_CFLAGS)

conformance: all
	@if [ -x ../shared/feed-corpus/run-conformance ]; then \
	  ../shared/feed-corpus/run-conformance -j 2 -- $(PMSIGNALD) parse-feed | tail -n 40; \
	else echo "conformance: ../shared/feed-corpus not found, skipped"; fi

run: deps
	@$(MAKE) --no-print-directory run-daemon

# The backtest on the bundled sample archive (docs/BACKTEST.md).
demo: deps
	@$(MAKE) --no-print-directory demo-run

demo-run: all
	$(PMSIGNALD) backtest --archive config/backtest/ukraine-2025-sample.jsonl \
	    --markets config/markets/ukraine-2025.json \
	    --resolutions config/backtest/ukraine-2025-resolutions.json \
	    --out $(BUILD)/demo
	@echo "demo: open $(BUILD)/demo/chart.svg in a browser (one panel per market)"

run-daemon: all
	@mkdir -p $(BUILD)/run
	$(PMSIGNALD) run --foreground --config config/pmsignald.json --state-dir $(BUILD)/run

# The installed file list is documented in README.md ("Installed files") and
# checked by tests/regress/install.sh.  The units name /usr/local/sbin and
# /etc/pmsignald; they are rewritten to SBINDIR and SYSCONFDIR on the way.
MAN_PAGES  := $(sort $(wildcard docs/man/*.[1-8]))
UNIT_SED   := -e 's|/usr/local/sbin/|$(SBINDIR)/|g' \
              -e 's|/etc/pmsignald/|$(SYSCONFDIR)/pmsignald/|g'

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	install -m 0755 $(PMSIGNALD) $(DESTDIR)$(SBINDIR)/pmsignald
	install -m 0755 $(PMSIGNALCTL) $(DESTDIR)$(BINDIR)/pmsignalctl
	@for f in $(MAN_PAGES); do \
	  d=$(DESTDIR)$(MANDIR)/man$${f##*.}; \
	  echo "install -m 0644 $$f $$d/"; \
	  install -d "$$d" && install -m 0644 "$$f" "$$d/" || exit 1; \
	done
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	@for u in pmsignald.service pmsignald.socket; do \
	  d=$(DESTDIR)$(SYSTEMDUNITDIR)/$$u; \
	  echo "sed ... systemd/$$u > $$d"; \
	  sed $(UNIT_SED) systemd/$$u > "$$d.tmp" && chmod 0644 "$$d.tmp" && \
	    mv "$$d.tmp" "$$d" || exit 1; \
	done
	install -m 0644 systemd/pmsignal.sysusers $(DESTDIR)$(SYSUSERSDIR)/pmsignal.conf
	install -d $(DESTDIR)$(SYSCONFDIR)/pmsignald/markets
	@for f in config/pmsignald.json config/markets/*.json; do \
	  [ -e "$$f" ] || continue; \
	  d=$(DESTDIR)$(SYSCONFDIR)/pmsignald/$${f#config/}; \
	  if [ -e "$$d" ]; then echo "install: keeping existing $$d"; \
	  else echo "install -m 0644 $$f $$d"; install -m 0644 "$$f" "$$d" || exit 1; fi; \
	done
	@echo "install: then, as root: systemd-sysusers; systemctl daemon-reload;" \
	  "systemctl enable --now pmsignald.socket pmsignald.service"

clean:
	rm -rf $(BUILD)
