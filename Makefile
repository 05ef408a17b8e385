# vmalab - one Makefile, objects in build/, dependencies from -MMD.
#
#   make            build ./vmalab
#   make run        build, then start vmalab
#   make check      build and run every test (ends with "N passed, N failed")
#   make check-asan the unit and script tests under ASan+UBSan
#   make deps       install what the tests need beyond the base image
#   make bench      speed against the kernel doing the same work (kreplay)
#   make check-valgrind  the suite's programs under valgrind
#   make soak       5,000 random scripts through verify, limits at full size,
#                   and 1,000,000 engine operations with forks through the
#                   checkers (make soak-ops: those alone, SOAK_OPS=N)
#   make limits     the limits alone at full size
#   make fuzz       each libFuzzer target for FUZZ_TIME seconds (clang)
#   make format     clang-format every source; make format-check checks
#   make install    PREFIX=/usr/local DESTDIR=: the binary, the lessons,
#                   the manual page and the bash completion
#   V=1             show the full commands
#
# The layers, each a directory with its own include path, so that a lower
# layer cannot even see a higher one's headers:
#   engine/        libengine.a: the model (no I/O, no globals, libc only)
#   repl/          librepl.a: the command core (parser, command table,
#                  session, undo, help, completion, model, text views)
#   repl/readline/ the readline front end
#   ui/            the map's layout and `draw` (pure: in librepl.a)
#   ui/term/       the ncurses UI (with readline's callback interface)
#   verify/        libverify.a: running scripts on the live kernel
#   db/            libdb.a: the scenario store (the only user of SQLite)
#   record/        librecord.a: ptrace on a real program (vmalab record)
#   cli/           main(): the modes of the vmalab binary

CC ?= cc
PKG_CONFIG ?= pkg-config
BUILD ?= build

PKGS := ncursesw readline sqlite3
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lncursesw -lreadline -lsqlite3)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CFLAGS ?= -O2 -g
# override: a CFLAGS given on the command line keeps these.
override CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) $(WARN_EXTRA) -MMD -MP
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Include paths, one set per layer.
INC_engine := -Iengine
INC_repl := -Iengine -Irepl
INC_readline := -Iengine -Irepl -Irepl/readline $(PKG_CFLAGS)
INC_ui := -Iengine -Irepl -Iui
INC_ui_term := -Iengine -Irepl -Irepl/readline -Iui -Iui/term $(PKG_CFLAGS)
INC_verify := -Iengine -Irepl -Iverify
INC_db := -Iengine -Irepl -Idb $(PKG_CFLAGS)
INC_cli := -Iengine -Irepl -Irepl/readline -Iui/term -Iverify -Idb -Irecord
INC_record := -Iengine -Irepl -Irecord
INC_tests_engine := -Iengine -Itests
INC_tests_repl := -Iengine -Irepl -Iui -Itests
INC_tests_db := -Iengine -Irepl -Idb -Itests
INC_fuzz := -Iengine -Irepl

ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2);
endif

ENGINE_SRC := $(wildcard engine/*.c)
REPL_SRC := $(wildcard repl/*.c)
READLINE_SRC := $(wildcard repl/readline/*.c)
UI_SRC := $(wildcard ui/*.c)
UI_TERM_SRC := $(wildcard ui/term/*.c)
VERIFY_SRC := $(wildcard verify/*.c)
RECORD_SRC := $(wildcard record/*.c)
CLI_SRC := $(wildcard cli/*.c)
DB_SRC := $(wildcard db/*.c)
LESSONS := $(sort $(wildcard scenarios/[0-9][0-9]-*.vml))
UNIT_ENGINE_SRC := $(wildcard tests/unit/engine/test_*.c)
UNIT_REPL_SRC := $(wildcard tests/unit/repl/test_*.c)
UNIT_DB_SRC := $(wildcard tests/unit/db/test_*.c)
TOOL_SRC := tests/gen/scriptgen.c

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
ENGINE_LIB := $(BUILD)/libengine.a
REPL_LIB := $(BUILD)/librepl.a
VERIFY_LIB := $(BUILD)/libverify.a
DB_LIB := $(BUILD)/libdb.a
LESSONS_OBJ := $(BUILD)/gen/lessons.o
APP_OBJ := $(call obj,$(CLI_SRC) $(READLINE_SRC) $(UI_TERM_SRC)) $(LESSONS_OBJ)
RECORD_LIB := $(BUILD)/librecord.a
UNIT_ENGINE_BIN := $(UNIT_ENGINE_SRC:tests/unit/engine/%.c=$(BUILD)/tests/%)
UNIT_REPL_BIN := $(UNIT_REPL_SRC:tests/unit/repl/%.c=$(BUILD)/tests/%)
UNIT_DB_BIN := $(UNIT_DB_SRC:tests/unit/db/%.c=$(BUILD)/tests/%)
UNIT_BIN := $(UNIT_ENGINE_BIN) $(UNIT_REPL_BIN) $(UNIT_DB_BIN)
GEN_BIN := $(BUILD)/tests/scriptgen

# Keep the test objects: they are intermediate files of a chain rule.
.SECONDARY:

.PHONY: all run check check-asan asan-build deps bench clean format format-check tests built-tests
.PHONY: fuzz fuzz-build fuzz-bins fuzz-check install uninstall doc
.PHONY: check-valgrind soak soak-ops limits mutants
all: vmalab

# A library per layer.  The engine's has no dependency but libc: the unit
# tests link against it alone, so a stray include or call breaks the build.
$(ENGINE_LIB): $(call obj,$(ENGINE_SRC))
$(REPL_LIB): $(call obj,$(REPL_SRC) $(UI_SRC))
$(VERIFY_LIB): $(call obj,$(VERIFY_SRC))
$(DB_LIB): $(call obj,$(DB_SRC))
$(RECORD_LIB): $(call obj,$(RECORD_SRC))
$(BUILD)/lib%.a:
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/vmalab: $(APP_OBJ) $(VERIFY_LIB) $(RECORD_LIB) $(DB_LIB) $(REPL_LIB) $(ENGINE_LIB)
	$(call say,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

vmalab: $(BUILD)/vmalab
	$(Q)cp $< $@

# One compile rule per layer, differing only in the include path.
define compile
$(BUILD)/$(1)/%.o: $(1)/%.c
	@mkdir -p $$(@D)
	$$(call say,CC,$$<)
	$$(Q)$$(CC) $$(CPPFLAGS) $(2) $$(CFLAGS) -c -o $$@ $$<
endef
$(eval $(call compile,engine,$(INC_engine)))
$(eval $(call compile,repl,$(INC_repl)))
$(eval $(call compile,repl/readline,$(INC_readline)))
$(eval $(call compile,ui/term,$(INC_ui_term)))
$(eval $(call compile,ui,$(INC_ui)))
$(eval $(call compile,verify,$(INC_verify)))
$(eval $(call compile,record,$(INC_record)))
$(eval $(call compile,cli,$(INC_cli)))
$(eval $(call compile,db,$(INC_db)))
$(eval $(call compile,tests/unit/db,$(INC_tests_db)))

# The lesson library goes into the binary, to be loaded into the store.
$(BUILD)/gen/lessons.c: $(LESSONS) db/embed-lessons.sh
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)sh db/embed-lessons.sh $(LESSONS) >$@.tmp && mv $@.tmp $@

$(LESSONS_OBJ): $(BUILD)/gen/lessons.c
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) -Irepl $(CFLAGS) -c -o $@ $<
$(eval $(call compile,tests/unit/engine,$(INC_tests_engine)))
$(eval $(call compile,tests/unit/repl,$(INC_tests_repl)))

# Engine tests link the engine and libc; core tests add the core library.
# Each may have a flags file beside it (test_NAME.ldflags), for --wrap.
ldflags_of = $(shell cat $(1:.c=.ldflags) 2>/dev/null)
$(BUILD)/tests/test_%: $(BUILD)/tests/unit/engine/test_%.o $(ENGINE_LIB)
	$(call say,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(call ldflags_of,tests/unit/engine/test_$*.c) -o $@ $^

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/repl/test_%.o $(REPL_LIB) $(ENGINE_LIB)
	$(call say,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(call ldflags_of,tests/unit/repl/test_$*.c) -o $@ $^

# Store tests link the store, the core and the engine, and SQLite.
$(BUILD)/tests/test_%: $(BUILD)/tests/unit/db/test_%.o $(DB_LIB) $(REPL_LIB) $(ENGINE_LIB)
	$(call say,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(GEN_BIN): $(TOOL_SRC)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

# Everything a test run needs, in $(BUILD).
tests: vmalab built-tests
built-tests: $(BUILD)/vmalab $(UNIT_BIN) $(GEN_BIN)

run: vmalab
	./vmalab

# Everything, normal build and sanitizer build, one total at the end.
check: deps tests asan-build
	$(Q)./tests/run.sh

# The same tests under AddressSanitizer and UBSan, built in build-asan/.
check-asan: asan-build
	$(Q)./tests/run.sh --asan

asan-build:
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan \
		CFLAGS="-O1 -g $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" built-tests

deps:
	@./tests/deps.sh

# The suite's programs under valgrind: no error, no leak (tests/valgrind.sh;
# VALGRIND_SLICE=N runs every Nth script).
check-valgrind: deps tests
	$(Q)./tests/valgrind.sh

# The differential soak (5,000 random scripts of 100 steps with fork
# through verify; SOAK_SCRIPTS, SOAK_STEPS) and the limits at full size.
soak: tests $(BUILD)/tests/soak
	$(Q)./tests/soak.sh
	$(Q)cd $(BUILD) && ./tests/soak $(SOAK_OPS)

# Each mutant rule of tests/rules.txt broken in turn (VMALAB_MUTATE): every
# script tagged as its guard must then fail verify (tests/mutants.sh).
mutants: tests
	$(Q)./tests/mutants.sh

# The limits alone at the issue's sizes (a million lines, 65,530 VMAs in
# each of 15 processes, a fork chain to pid_max); make check runs them small.
limits: tests
	$(Q)LIMITS=full ./tests/limits.sh

# The benchmarks: the kernel replayer (kreplay) and the harness (bench),
# which time the engine against this kernel doing the same work.
INC_bench := -Iengine -Irepl -Iverify -Itests/bench
BENCH_LIBS := $(REPL_LIB) $(ENGINE_LIB) $(VERIFY_LIB)
$(BUILD)/tests/kreplay: tests/bench/kreplay.c tests/bench/direct.c $(BENCH_LIBS)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(INC_bench) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/bench: tests/bench/bench.c tests/bench/direct.c $(BENCH_LIBS)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(INC_bench) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lutil

# The UI's redraw time: the ncurses UI drawn into a terminal on /dev/null.
UIBENCH_OBJ := $(call obj,$(UI_TERM_SRC) repl/readline/histfile.c)
$(BUILD)/tests/uibench: tests/bench/uibench.c $(UIBENCH_OBJ) $(REPL_LIB) $(ENGINE_LIB)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(INC_ui_term) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The engine's soak: SOAK_OPS random operations with forks (1,000,000 by
# default), each through the invariant and write-lock checkers; not in
# make check (make soak runs it too).
SOAK_OPS ?= 1000000
$(BUILD)/tests/soak: tests/soak/soak.c $(ENGINE_LIB)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(INC_tests_engine) $(CFLAGS) $(LDFLAGS) -o $@ $^

soak-ops: $(BUILD)/tests/soak
	$(Q)cd $(BUILD) && ./tests/soak $(SOAK_OPS)

# Speed and memory against the kernel and as the address space grows,
# each figure a median of several runs (see tests/bench.sh).
bench: vmalab $(BUILD)/tests/bench $(BUILD)/tests/kreplay $(BUILD)/tests/uibench
	$(Q)./tests/bench.sh $(BUILD)

# libFuzzer targets (tests/fuzz/fuzz_NAME.c, corpus in tests/fuzz/corpus/
# NAME/), built with clang in build-fuzz/: the libraries with coverage and
# ASan+UBSan, each target linked with the fuzzer's main.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_TIME ?= 60
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(REPL_LIB) $(ENGINE_LIB)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(INC_fuzz) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ \
		$(filter %.c %.a,$^)

# The scenario loader's target opens hostile databases: the store too.
$(BUILD)/fuzz/fuzz_scenario: tests/fuzz/fuzz_scenario.c $(DB_LIB) $(REPL_LIB) $(ENGINE_LIB)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(INC_fuzz) -Idb $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ \
		$(filter %.c %.a,$^) $(PKG_LIBS)

fuzz-bins: $(FUZZ_BIN)
fuzz-build:
	$(Q)$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
		CFLAGS="-O1 -g $(FUZZ_FLAGS)" \
		WARN_EXTRA=-Wno-missing-field-initializers \
		LDFLAGS="$(FUZZ_FLAGS)" fuzz-bins

# Each target for FUZZ_TIME seconds, new inputs kept in its corpus.
fuzz: fuzz-build
	$(Q)./tests/fuzz/run.sh fuzz $(FUZZ_TIME)

# The corpora (found crashes included) run once each: make check.
fuzz-check: fuzz-build
	$(Q)./tests/fuzz/run.sh check

# The manual page and the bash completion are made by the binary from its
# command table (cli/manpage.c), so that they say what `help` says.
MAN_PAGE := $(BUILD)/vmalab.1
COMPLETION := $(BUILD)/vmalab.bash
$(MAN_PAGE): $(BUILD)/vmalab
	$(call say,GEN,$@)
	$(Q)$< --man >$@.tmp && mv $@.tmp $@
$(COMPLETION): $(BUILD)/vmalab
	$(call say,GEN,$@)
	$(Q)$< --bash-completion >$@.tmp && mv $@.tmp $@
doc: $(MAN_PAGE) $(COMPLETION)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
COMPDIR ?= $(DATADIR)/bash-completion/completions
install: $(BUILD)/vmalab $(MAN_PAGE) $(COMPLETION)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/vmalab/lessons \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(COMPDIR)
	install -m 755 $(BUILD)/vmalab $(DESTDIR)$(BINDIR)/vmalab
	install -m 644 $(LESSONS) scenarios/README.md \
		$(DESTDIR)$(DATADIR)/vmalab/lessons/
	install -m 644 $(MAN_PAGE) $(DESTDIR)$(MANDIR)/man1/vmalab.1
	install -m 644 $(COMPLETION) $(DESTDIR)$(COMPDIR)/vmalab

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vmalab $(DESTDIR)$(MANDIR)/man1/vmalab.1 \
		$(DESTDIR)$(COMPDIR)/vmalab
	rm -rf $(DESTDIR)$(DATADIR)/vmalab

SOURCES = $(shell find engine repl ui verify record cli db tests/unit tests/gen tests/bench tests/fuzz -name '*.[ch]') $(wildcard tests/*.h)

format:
	clang-format -i $(SOURCES)

format-check:
	clang-format --dry-run -Werror $(SOURCES)

clean:
	rm -rf build build-asan build-fuzz vmalab

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
