# t/fuzz/fuzz.mk: libFuzzer targets (clang, ASan+UBSan), included by the top Makefile.
#   make fuzz               each target for FUZZ_TIME seconds (default 60)
#   make check-fuzz         each target briefly (FUZZ_CHECK_TIME, default 10 s), from its seeds
FUZZ_TARGETS = $(patsubst t/fuzz/%.c,%,$(wildcard t/fuzz/fuzz_*.c))
FUZZ_TIME ?= 60
FUZZ_CHECK_TIME ?= 10
FUZZ_CC ?= clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-std=gnu11 -Wall -Wextra -Werror $(addprefix -I,$(COMMON_DIRS)) -D_GNU_SOURCE $(shell pkg-config --cflags json-c)

.PHONY: fuzz check-fuzz fuzz-build

# The core once, as a library every target links.
build-fuzz/obj/%.o: common/%.c $(wildcard common/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -c -o $@ $<

build-fuzz/libnvd.a: $(COMMON_SRC:common/%.c=build-fuzz/obj/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

build-fuzz/%: t/fuzz/%.c build-fuzz/libnvd.a
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< build-fuzz/libnvd.a $(LDLIBS)

fuzz-build: $(addprefix build-fuzz/,$(FUZZ_TARGETS))

# Seeds: t/fuzz/seeds-TARGET (test fixtures); the corpus grows in build-fuzz/corpus-TARGET,
# which t/fuzz/run names first: libFuzzer writes new inputs into its first directory, so a
# target run by hand should be given a scratch directory first too, never the seeds.
fuzz: fuzz-build
	t/fuzz/run $(FUZZ_TIME) $(FUZZ_TARGETS)

check-fuzz: fuzz-build
	t/fuzz/run $(FUZZ_CHECK_TIME) $(FUZZ_TARGETS)
