// A classic BPF socket filter that admits only datagrams from listed source addresses (issue 12
// #6: a garbage flood at the gossip port is dropped in the kernel, before any thread wakes up).
// No Node-API here, so the builder can be checked under ASan (native/fuzz/socket-filter-check.c).
#ifndef FERROLB_SOCKET_FILTER_H
#define FERROLB_SOCKET_FILTER_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/** The most addresses one filter admits; above this the caller attaches no filter at all. */
#define FLB_FILTER_MAX_SOURCES 256
/** Instructions per IPv6 address (4 word loads, 4 compares, 1 accept) and the fixed ones. */
#define FLB_FILTER_IPV6_STEPS 9
#define FLB_FILTER_FIXED_STEPS 9
#define FLB_FILTER_MAX_STEPS (FLB_FILTER_FIXED_STEPS + FLB_FILTER_MAX_SOURCES * FLB_FILTER_IPV6_STEPS)

/** One source address: 4 bytes (IPv4) or 16 bytes (IPv6), network order. */
typedef struct {
  uint8_t length;
  uint8_t bytes[16];
} flb_source;

/**
 * Writes the program admitting exactly `sources` into `program` (FLB_FILTER_MAX_STEPS long);
 * returns its length, or -1 when count exceeds FLB_FILTER_MAX_SOURCES or a length is not 4 / 16.
 */
int flb_filter_build(const flb_source *sources, size_t count, struct sock_filter *program);

/** SO_ATTACH_FILTER of that program on `fd`; 0 or an errno (EINVAL for a bad list). */
int flb_filter_attach(int fd, const flb_source *sources, size_t count);

/** SO_DETACH_FILTER: accept everything again; 0 when detached or no filter was attached. */
int flb_filter_detach(int fd);

/** Datagrams the kernel dropped on this socket (filter or full buffer), from SO_MEMINFO. */
int flb_filter_drops(int fd, uint32_t *drops);

#endif
