// Builds and attaches the source-address socket filter (see socket_filter.h). On a UDP socket the
// filter runs with the packet positioned at the UDP header, so the IP header is read through the
// SKF_NET_OFF negative offset. One program serves IPv4 and IPv6 sockets alike (a dual-stack IPv6
// socket also receives IPv4): the version nibble picks the section.
#include "socket_filter.h"

#include <errno.h>
#include <linux/sock_diag.h>
#include <stdlib.h>
#include <sys/socket.h>

/** Accept the whole datagram; 0 drops it. */
#define ACCEPT 0xffffffffu
#define DROP 0u
/** Source address offsets in the IPv4 and IPv6 headers. */
#define IPV4_SOURCE 12
#define IPV6_SOURCE 8

static uint32_t word_at(const uint8_t *bytes) {
  return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 | bytes[3];
}

static int emit(struct sock_filter *program, int at, struct sock_filter step) {
  program[at] = step;
  return at + 1;
}

#define STEP(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JEQ(k, jt, jf) ((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, jt, jf))
#define LOAD_WORD(offset) STEP(BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_NET_OFF + (offset)))

// ld source; per address "jeq address ? next : skip one; ret accept"; then ret drop.
static int emit_ipv4(const flb_source *sources, size_t count, struct sock_filter *program, int at) {
  at = emit(program, at, LOAD_WORD(IPV4_SOURCE));
  for (size_t i = 0; i < count; i++) {
    if (sources[i].length != 4) continue;
    at = emit(program, at, JEQ(word_at(sources[i].bytes), 0, 1));
    at = emit(program, at, STEP(BPF_RET | BPF_K, ACCEPT));
  }
  return emit(program, at, STEP(BPF_RET | BPF_K, DROP));
}

// Per address: four "ld word; jeq word ? next : to the next address" pairs, then ret accept.
// Every jump is short (at most 7), whatever the list length: jt/jf are only 8 bits.
static int emit_ipv6(const flb_source *sources, size_t count, struct sock_filter *program, int at) {
  for (size_t i = 0; i < count; i++) {
    if (sources[i].length != 16) continue;
    for (int word = 0; word < 4; word++) {
      uint8_t skip = (uint8_t)(FLB_FILTER_IPV6_STEPS - 2 * (word + 1));
      at = emit(program, at, LOAD_WORD(IPV6_SOURCE + 4 * word));
      at = emit(program, at, JEQ(word_at(sources[i].bytes + 4 * word), 0, skip));
    }
    at = emit(program, at, STEP(BPF_RET | BPF_K, ACCEPT));
  }
  return emit(program, at, STEP(BPF_RET | BPF_K, DROP));
}

int flb_filter_build(const flb_source *sources, size_t count, struct sock_filter *program) {
  if (count > FLB_FILTER_MAX_SOURCES) return -1;
  for (size_t i = 0; i < count; i++)
    if (sources[i].length != 4 && sources[i].length != 16) return -1;
  // A = version nibble; 4 falls into the IPv4 section, anything else jumps (ja: 32-bit offset)
  // to "A == 6 ? IPv6 section : drop".
  int at = 0;
  at = emit(program, at, STEP(BPF_LD | BPF_B | BPF_ABS, (uint32_t)SKF_NET_OFF));
  at = emit(program, at, STEP(BPF_ALU | BPF_RSH | BPF_K, 4));
  at = emit(program, at, JEQ(4, 1, 0));
  int jump_to_ipv6 = at;
  at = emit(program, at, STEP(BPF_JMP | BPF_JA, 0));
  at = emit_ipv4(sources, count, program, at);
  program[jump_to_ipv6].k = (uint32_t)(at - jump_to_ipv6 - 1);
  at = emit(program, at, JEQ(6, 1, 0));
  at = emit(program, at, STEP(BPF_RET | BPF_K, DROP));
  return emit_ipv6(sources, count, program, at);
}

int flb_filter_attach(int fd, const flb_source *sources, size_t count) {
  struct sock_filter *program = malloc(FLB_FILTER_MAX_STEPS * sizeof *program);
  if (program == NULL) return ENOMEM;
  int length = flb_filter_build(sources, count, program), error = EINVAL;
  if (length >= 0) {
    // The kernel copies the program: it can be freed right after.
    struct sock_fprog fprog = {.len = (unsigned short)length, .filter = program};
    error = setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) == 0 ? 0 : errno;
  }
  free(program);
  return error;
}

int flb_filter_detach(int fd) {
  int unused = 0;
  if (setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof unused) == 0) return 0;
  return errno == ENOENT ? 0 : errno;
}

int flb_filter_drops(int fd, uint32_t *drops) {
  uint32_t memory[SK_MEMINFO_VARS] = {0};
  socklen_t length = sizeof memory;
  if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, memory, &length) != 0) return errno;
  if (length <= SK_MEMINFO_DROPS * sizeof memory[0]) return EPROTO;
  *drops = memory[SK_MEMINFO_DROPS];
  return 0;
}
