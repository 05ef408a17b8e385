# vmalab - one Makefile, objects in build/, dependencies from -MMD.
#
#   make            build ./vmalab
#   make run        build, then start vmalab
#   make check      build and run every test (ends with "N passed, N failed")
#   make check-asan the unit and script tests under ASan+UBSan
#   make deps       install what the tests need beyond the base image
#   make bench      speed and memory against a baseline in the same run
#   make format     clang-format every source; make format-check checks
#   V=1             show the full commands

CC ?= cc
PKG_CONFIG ?= pkg-config
BUILD ?= build

PKGS := ncursesw readline sqlite3
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lncursesw -lreadline -lsqlite3)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CFLAGS ?= -O2 -g
# override: a CFLAGS given on the command line keeps these.
override CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) -MMD -MP
override CPPFLAGS += -Iengine -Irepl -Itests
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2);
endif

ENGINE_SRC := $(wildcard engine/*.c)
APP_SRC := $(wildcard repl/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
TOOL_SRC := tests/gen/scriptgen.c

ENGINE_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/%.o)
APP_OBJ := $(APP_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
GEN_BIN := $(BUILD)/tests/scriptgen

# Keep the test objects: they are intermediate files of a chain rule.
.SECONDARY:

.PHONY: all run check check-asan asan-build deps bench clean format format-check
all: vmalab

# The engine is a static library with no dependency but libc: the unit
# tests link against it alone, so a stray include or call breaks the build.
$(BUILD)/libengine.a: $(ENGINE_OBJ)
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(BUILD)/vmalab: $(APP_OBJ) $(BUILD)/libengine.a
	$(call say,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(APP_OBJ) $(BUILD)/libengine.a $(PKG_LIBS)

vmalab: $(BUILD)/vmalab
	$(Q)cp $< $@

$(BUILD)/engine/%.o: engine/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/repl/%.o: repl/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(BUILD)/libengine.a
	$(call say,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(GEN_BIN): $(TOOL_SRC)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

run: vmalab
	./vmalab

# Everything, normal build and sanitizer build, one total at the end.
check: deps vmalab $(UNIT_BIN) $(GEN_BIN) asan-build
	$(Q)./tests/run.sh

# The same tests under AddressSanitizer and UBSan, built in build-asan/.
check-asan: asan-build
	$(Q)./tests/run.sh --asan

asan-build:
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan \
		CFLAGS="-O1 -g $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
		$(addprefix build-asan/,vmalab $(UNIT_BIN:$(BUILD)/%=%) tests/scriptgen)

deps:
	@./tests/deps.sh

$(BUILD)/tests/bench: tests/bench/bench.c $(BUILD)/libengine.a
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^

# Speed and memory as the address space grows, as ratios against the
# smallest run in the same process (see tests/bench/bench.c).
bench: $(BUILD)/tests/bench
	$(Q)./tests/bench.sh $(BUILD)/tests/bench

format:
	clang-format -i engine/*.[ch] repl/*.[ch] tests/unit/*.c tests/gen/*.c tests/bench/*.c tests/*.h

format-check:
	clang-format --dry-run -Werror engine/*.[ch] repl/*.[ch] tests/unit/*.c tests/gen/*.c tests/bench/*.c tests/*.h

clean:
	rm -rf build build-asan vmalab

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
