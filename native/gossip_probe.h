// Compact gossip probes (docs/gossip.md "Compact probes", issue 14): a C thread owns the gossip
// UDP socket, pings one member per probe interval and answers pings itself, so a speaker whose
// members are all alive runs no JavaScript between membership changes. Every other datagram goes
// to the JS engine unchanged, and a probe that is not acked in time is handed to it (indirect
// probes and suspicion stay in JS).
#ifndef FERROLB_GOSSIP_PROBE_H
#define FERROLB_GOSSIP_PROBE_H

#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define FLB_PROBE_NAME_MAX 253
#define FLB_PROBE_KEY_BYTES 32
#define FLB_PROBE_ID_BYTES 8
// First byte of a compact probe packet (the JSON packets use 0 to 3).
#define FLB_PROBE_PLAINTEXT 4
#define FLB_PROBE_AES256GCM 5
// Text of an address as Node reports it: IPv6 link-local ones carry '%interface'.
#define FLB_PROBE_ADDRESS_TEXT (INET6_ADDRSTRLEN + 1 + IF_NAMESIZE)

typedef enum {
  FLB_PROBE_DROP_AUTHENTICATION,
  FLB_PROBE_DROP_MALFORMED,
  FLB_PROBE_DROP_PLAINTEXT,
  FLB_PROBE_DROP_ENCRYPTED,
  FLB_PROBE_DROP_MISADDRESSED,
  FLB_PROBE_DROP_REPLAYED,
  FLB_PROBE_DROP_STALE,
  FLB_PROBE_DROP_UNKNOWN_SENDER,
  FLB_PROBE_DROP_RATE_LIMITED, // the queue to JS was full
  FLB_PROBE_DROP_COUNT
} flb_probe_drop;

typedef enum {
  FLB_PROBE_EVENT_DATAGRAM, // not a compact probe: for the JS engine
  FLB_PROBE_EVENT_MISSED,   // no ack within the probe timeout
  FLB_PROBE_EVENT_LATE_ACK, // the ack of a missed probe, before its round ended
  FLB_PROBE_EVENT_ACKED,    // an ack while acks are reported (local health above 0)
  FLB_PROBE_EVENT_LATE_TICK,
  FLB_PROBE_EVENT_STRANGER, // a compact ping from a sender that is not a target
} flb_probe_event_kind;

typedef struct {
  flb_probe_event_kind kind;
  uint32_t sequence;
  double late_ms;
  char name[FLB_PROBE_NAME_MAX + 1];
  char address[FLB_PROBE_ADDRESS_TEXT];
  uint16_t port;
  size_t length;
  uint8_t data[];
} flb_probe_event;

typedef struct {
  char name[FLB_PROBE_NAME_MAX + 1];
  struct sockaddr_storage address;
  socklen_t address_length;
} flb_probe_peer;

typedef struct {
  char name[FLB_PROBE_NAME_MAX + 1];
  uint64_t boot;
  uint8_t id[FLB_PROBE_ID_BYTES];
  uint64_t highest;
  uint32_t seen;
  double last_ms;
  uint64_t used; // LRU order
} flb_probe_sender;

typedef struct {
  uint64_t packets_sent, bytes_sent, packets_received, bytes_received;
  uint64_t drops[FLB_PROBE_DROP_COUNT];
} flb_probe_stats;

struct flb_probe;
// Posts an event to JS without blocking; false when the queue is full (the event is then freed).
typedef bool (*flb_probe_post)(struct flb_probe *probe, flb_probe_event *event);

typedef struct flb_probe {
  int fd, wake_fd, family;
  pthread_t thread;
  bool thread_started;
  pthread_mutex_t mutex;
  bool stopping;
  flb_probe_post post;
  // Identity and keys (fixed at open).
  char name[FLB_PROBE_NAME_MAX + 1];
  bool has_key;
  uint8_t key[FLB_PROBE_KEY_BYTES];
  uint64_t boot;
  uint8_t id[FLB_PROBE_ID_BYTES];
  uint64_t counter;
  double silence_ms;
  // Set from JS (under mutex).
  double interval_ms, timeout_ms;
  bool report_acks;
  flb_probe_peer *targets;
  size_t target_count;
  flb_probe_peer *allowed; // NULL: anyone
  size_t allowed_count;
  bool allow_all;
  // Probe rounds (thread only, under mutex).
  size_t *order;
  size_t order_length, order_position;
  double next_tick_ms;
  bool outstanding, acked, missed;
  uint32_t sequence;
  char target_name[FLB_PROBE_NAME_MAX + 1];
  double timeout_at_ms;
  double stranger_at_ms;
  flb_probe_sender *senders;
  size_t sender_count;
  uint64_t sender_clock;
  uint8_t random_pool[256];
  size_t random_used;
  void *cipher; // EVP_CIPHER_CTX, used by the thread only
  flb_probe_stats stats;
} flb_probe;

/** Binds the socket (address is IPv4 or IPv6 text); returns 0 or an errno. */
int flb_probe_open(flb_probe *probe, const char *address, uint16_t port);
/** Starts the thread; returns 0 or an errno. */
int flb_probe_start(flb_probe *probe);
/** Stops and joins the thread and closes the sockets; safe to call twice. */
void flb_probe_stop(flb_probe *probe);
/** Wakes the thread to re-read its settings (targets, timings). */
void flb_probe_wake(flb_probe *probe);
/** Parses an address and port into a sockaddr fit for the probe's socket family; false if invalid. */
bool flb_probe_address(const flb_probe *probe, const char *text, uint16_t port, struct sockaddr_storage *address,
                       socklen_t *length);
/** Replaces the targets (copied); resets the round-robin pass. Called with the mutex held. */
void flb_probe_set_targets(flb_probe *probe, flb_probe_peer *targets, size_t count);
/** The socket's bound port. */
uint16_t flb_probe_port(const flb_probe *probe);
/** Drop reason names, as in src/membership/types.ts DropReason. */
const char *flb_probe_drop_name(flb_probe_drop drop);

#endif
