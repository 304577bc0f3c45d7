// socket_filter.c under AddressSanitizer and UBSan (test/unit/l2/socket-filter-sanitizer.test.ts):
// random source lists (0 to 256 addresses, IPv4 and IPv6 mixed), each program built into a heap
// block of exactly FLB_FILTER_MAX_STEPS, then checked: every jump lands inside the program and it
// ends in a return; a small interpreter of the instructions used admits every listed source of
// both families and drops unlisted ones, near misses (one byte changed) and other IP versions;
// some are attached to a real UDP socket, so the kernel's own checker accepts them too. Any
// failure prints why and exits 1.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../socket_filter.h"

static long programs, verdicts;

static int fail(const char *what, unsigned iteration) {
  printf("FAIL %s (iteration %u)\n", what, iteration);
  exit(1);
}

// Loads `size` bytes big-endian at SKF_NET_OFF + offset of `header`; -1 when outside it.
static long load(const uint8_t *header, size_t length, uint32_t k, int size) {
  long offset = (long)(int32_t)k - SKF_NET_OFF;
  if (offset < 0 || (size_t)offset + (size_t)size > length) return -1;
  uint32_t value = 0;
  for (int i = 0; i < size; i++) value = value << 8 | header[offset + i];
  return value;
}

// Runs the program on an IP header; the return value, or -1 on a bad instruction or a bad jump.
static long run(const struct sock_filter *program, int length, const uint8_t *header, size_t header_length) {
  uint32_t a = 0;
  for (int pc = 0; pc < length; pc++) {
    const struct sock_filter *step = &program[pc];
    long value;
    switch (step->code) {
    case BPF_LD | BPF_W | BPF_ABS:
    case BPF_LD | BPF_B | BPF_ABS:
      value = load(header, header_length, step->k, step->code == (BPF_LD | BPF_W | BPF_ABS) ? 4 : 1);
      if (value < 0) return 0; // The kernel drops on an out-of-packet load.
      a = (uint32_t)value;
      break;
    case BPF_ALU | BPF_RSH | BPF_K: a >>= step->k; break;
    case BPF_JMP | BPF_JA: pc += (int)step->k; break;
    case BPF_JMP | BPF_JEQ | BPF_K: pc += a == step->k ? step->jt : step->jf; break;
    case BPF_RET | BPF_K: return step->k;
    default: return -1;
    }
    if (pc + 1 >= length) return -1;
  }
  return -1;
}

static void header_from(const flb_source *source, uint8_t *header, size_t *length) {
  memset(header, 0, 40);
  header[0] = source->length == 4 ? 0x45 : 0x60;
  memcpy(header + (source->length == 4 ? 12 : 8), source->bytes, source->length);
  *length = source->length == 4 ? 20 : 40;
}

static void random_source(flb_source *source) {
  source->length = rand() % 2 ? 4 : 16;
  for (int byte = 0; byte < 16; byte++) source->bytes[byte] = (uint8_t)rand();
}

static int is_listed(const flb_source *sources, size_t count, const flb_source *other) {
  int listed = 0;
  for (size_t i = 0; i < count; i++)
    listed |= sources[i].length == other->length && memcmp(sources[i].bytes, other->bytes, other->length) == 0;
  return listed;
}

// Near misses: a listed address with one byte changed (each byte position in turn), so every
// compare of a word after a matching one is exercised.
static void check_near_misses(const struct sock_filter *program, int length, const flb_source *sources, size_t count,
                              unsigned iteration) {
  uint8_t header[40];
  size_t header_length;
  for (size_t i = 0; i < count; i++) {
    flb_source other = sources[i];
    other.bytes[i % other.length] ^= 0x5a;
    header_from(&other, header, &header_length);
    if (!is_listed(sources, count, &other) && run(program, length, header, header_length) != 0)
      fail("a near miss is admitted", iteration);
    verdicts++;
  }
}

static void check_verdicts(const struct sock_filter *program, int length, const flb_source *sources, size_t count,
                           unsigned iteration) {
  uint8_t header[40];
  size_t header_length;
  for (size_t i = 0; i < count; i++) {
    header_from(&sources[i], header, &header_length);
    if (run(program, length, header, header_length) != 0xffffffffL) fail("a listed source is not admitted", iteration);
    verdicts++;
  }
  for (int probe = 0; probe < 16; probe++) {
    flb_source other;
    random_source(&other);
    header_from(&other, header, &header_length);
    if (probe == 0) header[0] = 0x55; // Neither IPv4 nor IPv6: dropped.
    if (!is_listed(sources, count, &other) && run(program, length, header, header_length) != 0) fail("an unlisted source is admitted", iteration);
    verdicts++;
  }
}

static void check_one(unsigned iteration, int kernel_fd) {
  size_t count = (size_t)(iteration % 7 == 0 ? FLB_FILTER_MAX_SOURCES : rand() % (FLB_FILTER_MAX_SOURCES + 1));
  flb_source *sources = malloc((count + 1) * sizeof *sources);
  int all_ipv6 = iteration % 7 == 0;
  for (size_t i = 0; i < count; i++) {
    random_source(&sources[i]);
    if (all_ipv6) sources[i].length = 16; // The longest program.
  }
  struct sock_filter *program = malloc(FLB_FILTER_MAX_STEPS * sizeof *program);
  int length = flb_filter_build(sources, count, program);
  if (length <= 0 || length > FLB_FILTER_MAX_STEPS || length > BPF_MAXINSNS) fail("bad program length", iteration);
  if (program[length - 1].code != (BPF_RET | BPF_K)) fail("the program does not end in a return", iteration);
  check_verdicts(program, length, sources, count, iteration);
  check_near_misses(program, length, sources, count, iteration);
  if (iteration % 50 == 0 && flb_filter_attach(kernel_fd, sources, count) != 0) fail("the kernel refused", iteration);
  programs++;
  free(program);
  free(sources);
}

int main(int argc, char **argv) {
  unsigned iterations = argc > 1 ? (unsigned)atoi(argv[1]) : 2000, seed = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
  srand(seed);
  int fd = socket(AF_INET6, SOCK_DGRAM, 0);
  if (fd < 0) return 2;
  for (unsigned i = 0; i < iterations; i++) check_one(i, fd);
  flb_source too_many[FLB_FILTER_MAX_SOURCES + 1] = {0}, bad = {.length = 5};
  struct sock_filter program[FLB_FILTER_MAX_STEPS];
  for (int i = 0; i <= FLB_FILTER_MAX_SOURCES; i++) too_many[i].length = 4;
  if (flb_filter_build(too_many, FLB_FILTER_MAX_SOURCES + 1, program) != -1) fail("over the limit accepted", 0);
  if (flb_filter_build(&bad, 1, program) != -1) fail("a 5-byte address accepted", 0);
  if (flb_filter_detach(fd) != 0 || flb_filter_detach(fd) != 0) fail("detach", 0);
  close(fd);
  printf("programs %ld\nverdicts %ld\n", programs, verdicts);
  return 0;
}
