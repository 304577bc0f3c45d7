// The responder: per addon instance (per Node environment) one C thread per CPU ("lane"), each
// waiting with epoll on its own member of every packet socket's per-CPU fanout group and answering
// owned ARP / NS in C, so replies never wait for JS (DESIGN "Data plane") and a frame is answered
// on the CPU that received it. JS only swaps tables, sends frames and reads counters.
#ifndef FERROLB_RESPONDER_H
#define FERROLB_RESPONDER_H

#include <net/if.h>
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "classify.h"

// Reply latency histogram upper bounds in microseconds; one more bucket counts the rest (+Inf).
#define FLB_LATENCY_BOUND_COUNT 8
// Lanes beyond this share threads (CPU c is served by lane c % FLB_MAX_LANES).
#define FLB_MAX_LANES 64
#define FLB_RECEIVE_BYTES 65536
extern const uint32_t flb_latency_bounds_micros[FLB_LATENCY_BOUND_COUNT];

typedef struct {
  uint8_t address_bytes; // 4 or 16
  uint8_t address[FLB_IPV6_BYTES];
  uint64_t requests_received; // requests for this owned IP that passed every check (M5)
  uint64_t responses_sent;    // replies the kernel accepted (M5)
} flb_counter_slot;

typedef struct {
  uint64_t frames_received;
  uint64_t receive_errors;
  uint64_t send_failures;
  uint64_t frames_forwarded;
  uint64_t forward_dropped; // JS callback queue full or closing
  uint64_t kernel_drops;    // frames the kernel dropped before we read them (receive buffer full)
  uint64_t other_interface; // frames of an upper device (VLAN, macvlan) delivered to our bound socket
  uint64_t other_host;      // frames the kernel marked PACKET_OTHERHOST (a VLAN without a device here)
  uint64_t drops[FLB_REASON_COUNT];
  uint64_t latency_counts[FLB_LATENCY_BOUND_COUNT + 1];
  uint64_t latency_sum_nanos;
} flb_stats;

// A frame copied for the JS callback; freed by whoever consumes or drops it.
typedef struct {
  char interface_name[IF_NAMESIZE];
  size_t length;
  uint8_t frame[];
} forwarded_frame;

typedef struct flb_instance flb_instance;

typedef struct flb_socket {
  uint64_t id;
  flb_instance *instance;
  int refs; // the JS handle and the forwarding callback each hold one (JS thread only)
  int fds[FLB_MAX_LANES]; // fds[lane]; fds[0] also sends and holds multicast memberships
  int lane_count;
  int ifindex;
  int is_closed;
  flb_protocol protocol;
  char interface_name[IF_NAMESIZE];
  // Guarded by the instance mutex from here on.
  flb_table *table;
  flb_counter_slot *slots;
  size_t slot_count;
  size_t slot_capacity;
  flb_stats stats;
  double reply_tokens;            // token bucket of answers (serve.c); refilled lazily
  uint64_t reply_refilled_nanos;  // CLOCK_MONOTONIC of the last refill; 0 = full bucket not yet set
  napi_threadsafe_function forward;
} flb_socket;

typedef struct {
  flb_instance *instance;
  int index;
  int epoll_fd;
  int is_pinned; // lane i runs on CPU i when the process may use it
  pthread_t thread;
  pid_t thread_id; // 0 until the thread has started (instance mutex)
} flb_lane;

struct flb_instance {
  pthread_mutex_t mutex;
  pthread_cond_t lane_started; // a lane recorded its thread id
  int wake_fd; // in every lane's epoll set
  flb_lane lanes[FLB_MAX_LANES];
  int lane_count;
  int are_lanes_running;
  int is_stop_requested;
  flb_socket **sockets;
  size_t socket_count;
  size_t socket_capacity;
  uint64_t next_id;
  int priority; // 0: normal scheduling; 1-99: SCHED_FIFO priority of the lane threads
  double reply_rate_per_second; // each socket's answers per second; 0 = no limit (instance mutex)
  double reply_burst;           // each socket's bucket size
  int refs; // the environment and every live socket struct hold one (JS thread only)
};

/** Creates the lanes' epoll and the wake-up descriptors; NULL with errno set on failure. */
flb_instance *flb_instance_create(void);
/** Drops one reference; frees the instance at zero. */
void flb_instance_release(flb_instance *instance);
/** Registers an opened socket and starts the thread if needed; returns 0 or an errno. */
int flb_instance_add(flb_instance *instance, flb_socket *socket);
/** Closes a socket (idempotent); returns its forwarding callback for the caller to release. */
napi_threadsafe_function flb_instance_remove(flb_instance *instance, flb_socket *socket);
/** Called by a lane thread at start: records its thread id and applies the instance's scheduling. */
void flb_lane_apply_scheduling(flb_lane *lane);
/** Sets the lane threads' SCHED_FIFO priority (0 = normal); returns 0 or an errno (EPERM). */
int flb_instance_set_priority(flb_instance *instance, int priority);
/** Limits each socket's answers to `per_second` with bursts of `burst` (0 = no limit); serve.c. */
void flb_instance_set_reply_limit(flb_instance *instance, double per_second, double burst);
/** Closes every socket and stops the thread (environment teardown). */
void flb_instance_teardown(flb_instance *instance);

/** epoll data of a socket's lane: the socket id above the lane index; 0 is the wake-up eventfd. */
static inline uint64_t flb_event_key(uint64_t id, int lane) { return id << 8 | (uint64_t)lane; }
/** Serves up to a burst of frames from the socket lane behind `key` (lane thread; see serve.c). */
void flb_serve(flb_instance *instance, uint64_t key, uint8_t *buffer);

/** Builds a sorted, de-duplicated table; NULL on allocation failure. */
flb_table *flb_table_build(const uint8_t *mac, const uint8_t *ipv4, size_t ipv4_count, const uint8_t *ipv6,
                           size_t ipv6_count);
void flb_table_free(flb_table *table);
/** Gives the table counter slots and swaps it in; returns 0 or ENOMEM (the table is then freed). */
int flb_socket_set_table(flb_socket *socket, flb_table *table);

/** Copies the counters under the lock; *slots is malloc'ed (caller frees). Returns 0 or ENOMEM. */
int flb_socket_read_stats(flb_socket *socket, flb_stats *stats, flb_counter_slot **slots, size_t *slot_count);
/** Forgets the forwarding callback (called when Node finalizes it). */
void flb_socket_clear_forward(flb_socket *socket);

#endif
