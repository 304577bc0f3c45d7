// The compact probe thread (gossip_probe.h): one poll loop over the gossip socket and a wake-up
// eventfd, with the probe round's deadlines as its timeout. Wire format (docs/gossip.md):
//   first byte 4 (plaintext) | payload, or 5 | 12-byte nonce | AES-256-GCM(payload) | 16-byte tag
//   with the first byte as additional data; payload, big-endian:
//   kind (1 ping, 2 ack) u8 | sequence u32 | boot u64 | epoch id 8 bytes | counter u64 |
//   sender name length u8 | name | target name length u8 | target (pings; 0 in acks)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "gossip_probe.h"

#define KIND_PING 1
#define KIND_ACK 2
#define NONCE_BYTES 12
#define TAG_BYTES 16
#define HEADER_BYTES (1 + 4 + 8 + FLB_PROBE_ID_BYTES + 8)
#define MAX_PAYLOAD (HEADER_BYTES + 2 * (1 + FLB_PROBE_NAME_MAX))
#define RECEIVE_BYTES 65536
#define DATAGRAMS_PER_WAKE 64
#define REPLAY_WINDOW 32
#define MAX_SENDERS 2048 // MAX_REPLAY_SENDERS in src/membership/defaults.ts
#define STRANGER_INTERVAL_MS 100

static const char *const drop_names[FLB_PROBE_DROP_COUNT] = {
    "authentication", "malformed", "plaintext", "encrypted", "misaddressed",
    "replayed",       "stale",     "unknownSender", "rateLimited",
};

const char *flb_probe_drop_name(flb_probe_drop drop) { return drop_names[drop]; }

static double now_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec * 1000.0 + (double)now.tv_nsec / 1e6;
}

static void random_bytes(flb_probe *probe, uint8_t *out, size_t length) {
  if (probe->random_used + length > sizeof probe->random_pool) {
    size_t filled = 0;
    while (filled < sizeof probe->random_pool) {
      ssize_t got = getrandom(probe->random_pool + filled, sizeof probe->random_pool - filled, 0);
      if (got > 0) filled += (size_t)got;
    }
    probe->random_used = 0;
  }
  // Each byte is used once: the offset only moves forward until the pool is refilled.
  memcpy(out, probe->random_pool + probe->random_used, length);
  probe->random_used += length;
}

static uint32_t random_u32(flb_probe *probe) {
  uint8_t bytes[4];
  random_bytes(probe, bytes, sizeof bytes);
  return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 | bytes[3];
}

static void put_u64(uint8_t *out, uint64_t value) {
  for (int index = 7; index >= 0; index--, value >>= 8) out[index] = (uint8_t)value;
}
static uint64_t get_u64(const uint8_t *in) {
  uint64_t value = 0;
  for (int index = 0; index < 8; index++) value = value << 8 | in[index];
  return value;
}

bool flb_probe_address(const flb_probe *probe, const char *text, uint16_t port, struct sockaddr_storage *address,
                       socklen_t *length) {
  memset(address, 0, sizeof *address);
  struct in_addr ipv4;
  if (probe->family == AF_INET) {
    struct sockaddr_in *out = (struct sockaddr_in *)address;
    if (inet_pton(AF_INET, text, &out->sin_addr) != 1) return false;
    out->sin_family = AF_INET;
    out->sin_port = htons(port);
    *length = sizeof *out;
    return true;
  }
  struct sockaddr_in6 *out = (struct sockaddr_in6 *)address;
  out->sin6_family = AF_INET6;
  out->sin6_port = htons(port);
  *length = sizeof *out;
  // A link-local address names its interface after '%', as Node's sockets accept.
  char bare[INET6_ADDRSTRLEN + 1];
  const char *scope = strchr(text, '%');
  size_t bare_length = scope == NULL ? strlen(text) : (size_t)(scope - text);
  if (bare_length >= sizeof bare) return false;
  memcpy(bare, text, bare_length);
  bare[bare_length] = 0;
  if (scope != NULL && (out->sin6_scope_id = if_nametoindex(scope + 1)) == 0) return false;
  if (inet_pton(AF_INET6, bare, &out->sin6_addr) == 1) return true;
  if (scope != NULL) return false;
  if (inet_pton(AF_INET, text, &ipv4) != 1) return false;
  // An IPv4 member reached from a dual-stack socket, as Node's udp6 sockets do.
  out->sin6_addr.s6_addr[10] = 0xff;
  out->sin6_addr.s6_addr[11] = 0xff;
  memcpy(&out->sin6_addr.s6_addr[12], &ipv4, 4);
  return true;
}

static void address_text(const struct sockaddr_storage *address, char *text, uint16_t *port) {
  if (address->ss_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)address;
    inet_ntop(AF_INET, &in->sin_addr, text, INET6_ADDRSTRLEN);
    *port = ntohs(in->sin_port);
  } else {
    const struct sockaddr_in6 *in = (const struct sockaddr_in6 *)address;
    inet_ntop(AF_INET6, &in->sin6_addr, text, INET6_ADDRSTRLEN);
    *port = ntohs(in->sin6_port);
    char interface_name[IF_NAMESIZE];
    if (in->sin6_scope_id != 0 && if_indextoname(in->sin6_scope_id, interface_name) != NULL) {
      size_t length = strlen(text);
      snprintf(text + length, FLB_PROBE_ADDRESS_TEXT - length, "%%%s", interface_name);
    }
  }
}

static bool same_host(const struct sockaddr_storage *left, const struct sockaddr_storage *right) {
  if (left->ss_family != right->ss_family) return false;
  if (left->ss_family == AF_INET)
    return ((const struct sockaddr_in *)left)->sin_addr.s_addr == ((const struct sockaddr_in *)right)->sin_addr.s_addr;
  return memcmp(&((const struct sockaddr_in6 *)left)->sin6_addr, &((const struct sockaddr_in6 *)right)->sin6_addr,
                sizeof(struct in6_addr)) == 0;
}

int flb_probe_open(flb_probe *probe, const char *address, uint16_t port) {
  struct sockaddr_storage bind_address;
  socklen_t length;
  probe->fd = probe->wake_fd = -1;
  probe->family = strchr(address, ':') != NULL ? AF_INET6 : AF_INET;
  if (!flb_probe_address(probe, address, port, &bind_address, &length)) return EINVAL;
  probe->fd = socket(probe->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (probe->fd < 0) return errno;
  if (bind(probe->fd, (struct sockaddr *)&bind_address, length) != 0) return errno;
  probe->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (probe->wake_fd < 0) return errno;
  probe->cipher = EVP_CIPHER_CTX_new();
  return probe->cipher == NULL ? ENOMEM : 0;
}

uint16_t flb_probe_port(const flb_probe *probe) {
  struct sockaddr_storage address;
  socklen_t length = sizeof address;
  char text[FLB_PROBE_ADDRESS_TEXT];
  uint16_t port = 0;
  if (getsockname(probe->fd, (struct sockaddr *)&address, &length) == 0) address_text(&address, text, &port);
  return port;
}

void flb_probe_wake(flb_probe *probe) {
  uint64_t one = 1;
  if (write(probe->wake_fd, &one, sizeof one) < 0) return; // already signalled (counter full) is fine
}

void flb_probe_set_targets(flb_probe *probe, flb_probe_peer *targets, size_t count) {
  free(probe->targets);
  free(probe->order);
  probe->targets = targets;
  probe->target_count = count;
  probe->order = count > 0 ? calloc(count, sizeof *probe->order) : NULL;
  probe->order_length = probe->order_position = 0;
  if (probe->order == NULL) probe->target_count = 0; // none given, or no memory: probe nobody
  if (probe->target_count == 0) probe->outstanding = false;
}

// Seals `payload` into `out` (first byte, nonce, ciphertext, tag); returns the packet length or 0.
static size_t seal(flb_probe *probe, const uint8_t *payload, size_t length, uint8_t *out) {
  if (!probe->has_key) {
    out[0] = FLB_PROBE_PLAINTEXT;
    memcpy(out + 1, payload, length);
    return 1 + length;
  }
  EVP_CIPHER_CTX *cipher = probe->cipher;
  out[0] = FLB_PROBE_AES256GCM;
  random_bytes(probe, out + 1, NONCE_BYTES);
  int written = 0, final = 0;
  if (EVP_EncryptInit_ex(cipher, EVP_aes_256_gcm(), NULL, probe->key, out + 1) != 1 ||
      EVP_EncryptUpdate(cipher, NULL, &written, out, 1) != 1 ||
      EVP_EncryptUpdate(cipher, out + 1 + NONCE_BYTES, &written, payload, (int)length) != 1 ||
      EVP_EncryptFinal_ex(cipher, out + 1 + NONCE_BYTES + written, &final) != 1 ||
      EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_GCM_GET_TAG, TAG_BYTES, out + 1 + NONCE_BYTES + written + final) != 1)
    return 0;
  return 1 + NONCE_BYTES + (size_t)(written + final) + TAG_BYTES;
}

// Opens a received compact packet into `payload`; returns its length, or -1 - drop reason.
static int open_packet(flb_probe *probe, uint8_t *packet, size_t length, uint8_t *payload) {
  if (packet[0] == FLB_PROBE_PLAINTEXT) {
    if (probe->has_key) return -1 - FLB_PROBE_DROP_PLAINTEXT;
    if (length - 1 > MAX_PAYLOAD) return -1 - FLB_PROBE_DROP_MALFORMED;
    memcpy(payload, packet + 1, length - 1);
    return (int)(length - 1);
  }
  if (!probe->has_key) return -1 - FLB_PROBE_DROP_ENCRYPTED;
  if (length < 1 + NONCE_BYTES + TAG_BYTES || length - 1 - NONCE_BYTES - TAG_BYTES > MAX_PAYLOAD)
    return -1 - FLB_PROBE_DROP_MALFORMED;
  EVP_CIPHER_CTX *cipher = probe->cipher;
  int body = (int)(length - 1 - NONCE_BYTES - TAG_BYTES), written = 0, final = 0;
  if (EVP_DecryptInit_ex(cipher, EVP_aes_256_gcm(), NULL, probe->key, packet + 1) != 1 ||
      EVP_DecryptUpdate(cipher, NULL, &written, packet, 1) != 1 ||
      EVP_DecryptUpdate(cipher, payload, &written, packet + 1 + NONCE_BYTES, body) != 1 ||
      EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_GCM_SET_TAG, TAG_BYTES, packet + length - TAG_BYTES) != 1 ||
      EVP_DecryptFinal_ex(cipher, payload + written, &final) != 1)
    return -1 - FLB_PROBE_DROP_AUTHENTICATION;
  return written + final;
}

typedef struct {
  uint8_t kind;
  uint32_t sequence;
  uint64_t boot, counter;
  const uint8_t *id;
  char from[FLB_PROBE_NAME_MAX + 1];
  char target[FLB_PROBE_NAME_MAX + 1];
} probe_message;

static bool read_name(const uint8_t *payload, size_t length, size_t *offset, char *out, bool may_be_empty) {
  if (*offset >= length) return false;
  size_t name_length = payload[(*offset)++];
  if (name_length > FLB_PROBE_NAME_MAX || *offset + name_length > length || (name_length == 0 && !may_be_empty))
    return false;
  memcpy(out, payload + *offset, name_length);
  out[name_length] = 0;
  *offset += name_length;
  // A name with a NUL inside is not a name (it would compare equal to its prefix).
  return strlen(out) == name_length;
}

static bool decode(const uint8_t *payload, size_t length, probe_message *message) {
  if (length < HEADER_BYTES) return false;
  message->kind = payload[0];
  message->sequence = (uint32_t)payload[1] << 24 | (uint32_t)payload[2] << 16 | (uint32_t)payload[3] << 8 | payload[4];
  message->boot = get_u64(payload + 5);
  message->id = payload + 13;
  message->counter = get_u64(payload + 13 + FLB_PROBE_ID_BYTES);
  size_t offset = HEADER_BYTES;
  if (message->kind != KIND_PING && message->kind != KIND_ACK) return false;
  if (!read_name(payload, length, &offset, message->from, false)) return false;
  if (!read_name(payload, length, &offset, message->target, message->kind == KIND_ACK)) return false;
  if (message->kind == KIND_PING && message->target[0] == 0) return false;
  return offset == length;
}

static size_t encode(flb_probe *probe, uint8_t kind, uint32_t sequence, const char *target, uint8_t *out) {
  out[0] = kind;
  out[1] = (uint8_t)(sequence >> 24), out[2] = (uint8_t)(sequence >> 16), out[3] = (uint8_t)(sequence >> 8);
  out[4] = (uint8_t)sequence;
  put_u64(out + 5, probe->boot);
  memcpy(out + 13, probe->id, FLB_PROBE_ID_BYTES);
  put_u64(out + 13 + FLB_PROBE_ID_BYTES, ++probe->counter);
  size_t offset = HEADER_BYTES, name_length = strlen(probe->name), target_length = strlen(target);
  out[offset++] = (uint8_t)name_length;
  memcpy(out + offset, probe->name, name_length);
  offset += name_length;
  out[offset++] = (uint8_t)target_length;
  memcpy(out + offset, target, target_length);
  return offset + target_length;
}

static void send_message(flb_probe *probe, uint8_t kind, uint32_t sequence, const char *target,
                         const struct sockaddr_storage *to, socklen_t to_length) {
  uint8_t payload[MAX_PAYLOAD], packet[1 + NONCE_BYTES + MAX_PAYLOAD + TAG_BYTES];
  size_t length = seal(probe, payload, encode(probe, kind, sequence, target, payload), packet);
  if (length == 0) return;
  if (sendto(probe->fd, packet, length, MSG_DONTWAIT, (const struct sockaddr *)to, to_length) < 0) return;
  probe->stats.packets_sent++;
  probe->stats.bytes_sent += length;
}

// Same rules as src/membership/freshness.ts ReplayGuard, for the compact counter of each sender.
// Returns FLB_PROBE_DROP_COUNT when the packet is fresh (and remembers it), else the drop reason.
static flb_probe_drop judge_freshness(flb_probe *probe, const probe_message *message, double now) {
  flb_probe_sender *state = NULL;
  for (size_t index = 0; index < probe->sender_count && state == NULL; index++)
    if (strcmp(probe->senders[index].name, message->from) == 0) state = &probe->senders[index];
  if (state == NULL || memcmp(state->id, message->id, FLB_PROBE_ID_BYTES) != 0) {
    bool silent = state == NULL || now - state->last_ms >= probe->silence_ms;
    if (!silent && message->boot <= state->boot) return FLB_PROBE_DROP_STALE;
    if (state == NULL && probe->sender_count < MAX_SENDERS) state = &probe->senders[probe->sender_count++];
    if (state == NULL) { // full: forget the sender heard from least recently
      state = &probe->senders[0];
      for (size_t index = 1; index < probe->sender_count; index++)
        if (probe->senders[index].used < state->used) state = &probe->senders[index];
    }
    snprintf(state->name, sizeof state->name, "%s", message->from);
    state->boot = message->boot;
    memcpy(state->id, message->id, FLB_PROBE_ID_BYTES);
    state->highest = message->counter;
    state->seen = 1;
  } else if (message->counter > state->highest) {
    uint64_t shift = message->counter - state->highest;
    state->seen = shift >= REPLAY_WINDOW ? 1 : (state->seen << shift) | 1;
    state->highest = message->counter;
  } else {
    uint64_t age = state->highest - message->counter;
    if (age >= REPLAY_WINDOW) return FLB_PROBE_DROP_STALE;
    uint32_t bit = (uint32_t)1 << age;
    if (state->seen & bit) return FLB_PROBE_DROP_REPLAYED;
    state->seen |= bit;
  }
  state->last_ms = now;
  state->used = ++probe->sender_clock;
  return FLB_PROBE_DROP_COUNT;
}

// A zeroed event with room for `length` datagram bytes, naming a member and a sender when given;
// NULL without memory (the event is then lost, as a full queue loses it).
static flb_probe_event *new_event(flb_probe_event_kind kind, const char *name, const struct sockaddr_storage *from,
                                  size_t length) {
  flb_probe_event *event = calloc(1, sizeof *event + length);
  if (event == NULL) return NULL;
  event->kind = kind;
  event->length = length;
  if (name != NULL) snprintf(event->name, sizeof event->name, "%s", name);
  if (from != NULL) address_text(from, event->address, &event->port);
  return event;
}

// Hands an event to JS without waiting: a full queue drops it (counted) rather than stall probes.
static void deliver(flb_probe *probe, flb_probe_event *event) {
  if (event != NULL && !probe->post(probe, event)) probe->stats.drops[FLB_PROBE_DROP_RATE_LIMITED]++;
}

static void post_probe(flb_probe *probe, flb_probe_event_kind kind, const char *name, uint32_t sequence) {
  flb_probe_event *event = new_event(kind, name, NULL, 0);
  if (event != NULL) event->sequence = sequence;
  deliver(probe, event);
}

static bool is_target(const flb_probe *probe, const char *name) {
  for (size_t index = 0; index < probe->target_count; index++)
    if (strcmp(probe->targets[index].name, name) == 0) return true;
  return false;
}

static bool sender_allowed(const flb_probe *probe, const char *name, const struct sockaddr_storage *from) {
  if (strcmp(name, probe->name) == 0) return false;
  if (probe->allow_all) return true;
  for (size_t index = 0; index < probe->allowed_count; index++)
    if (strcmp(probe->allowed[index].name, name) == 0) return same_host(&probe->allowed[index].address, from);
  return false;
}

static void handle_compact(flb_probe *probe, uint8_t *packet, size_t length, const struct sockaddr_storage *from,
                           socklen_t from_length, double now) {
  uint8_t payload[MAX_PAYLOAD + TAG_BYTES];
  probe_message message;
  int opened = open_packet(probe, packet, length, payload);
  flb_probe_drop drop = FLB_PROBE_DROP_COUNT;
  if (opened < 0) drop = (flb_probe_drop)(-1 - opened);
  else if (!decode(payload, (size_t)opened, &message)) drop = FLB_PROBE_DROP_MALFORMED;
  else if (!sender_allowed(probe, message.from, from)) drop = FLB_PROBE_DROP_UNKNOWN_SENDER;
  // Plaintext is not checked, as in the JS engine: anyone can forge the fields.
  else if (probe->has_key) drop = judge_freshness(probe, &message, now);
  if (drop == FLB_PROBE_DROP_COUNT && message.kind == KIND_PING && strcmp(message.target, probe->name) != 0)
    drop = FLB_PROBE_DROP_MISADDRESSED;
  if (drop != FLB_PROBE_DROP_COUNT) {
    probe->stats.drops[drop]++;
    return;
  }
  if (message.kind == KIND_PING) {
    send_message(probe, KIND_ACK, message.sequence, "", from, from_length);
    if (!is_target(probe, message.from) && now - probe->stranger_at_ms >= STRANGER_INTERVAL_MS) {
      // A member this node does not probe yet (a join in flight): the engine may introduce it.
      probe->stranger_at_ms = now;
      deliver(probe, new_event(FLB_PROBE_EVENT_STRANGER, message.from, from, 0));
    }
    return;
  }
  if (!probe->outstanding || probe->acked || message.sequence != probe->sequence ||
      strcmp(message.from, probe->target_name) != 0)
    return; // an ack of an older round: nothing waits for it
  probe->acked = true;
  if (probe->missed) post_probe(probe, FLB_PROBE_EVENT_LATE_ACK, message.from, message.sequence);
  else if (probe->report_acks) post_probe(probe, FLB_PROBE_EVENT_ACKED, message.from, message.sequence);
}

static void forward(flb_probe *probe, const uint8_t *packet, size_t length, const struct sockaddr_storage *from) {
  flb_probe_event *event = new_event(FLB_PROBE_EVENT_DATAGRAM, NULL, from, length);
  if (event != NULL) memcpy(event->data, packet, length);
  deliver(probe, event);
}

static void receive_all(flb_probe *probe, uint8_t *buffer) {
  for (int count = 0; count < DATAGRAMS_PER_WAKE; count++) {
    struct sockaddr_storage from;
    socklen_t from_length = sizeof from;
    ssize_t received = recvfrom(probe->fd, buffer, RECEIVE_BYTES, MSG_DONTWAIT, (struct sockaddr *)&from, &from_length);
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (received < 0) continue; // ICMP errors surface here; gossip treats loss as loss
    pthread_mutex_lock(&probe->mutex);
    if (received > 0 && (buffer[0] == FLB_PROBE_PLAINTEXT || buffer[0] == FLB_PROBE_AES256GCM)) {
      probe->stats.packets_received++;
      probe->stats.bytes_received += (uint64_t)received;
      handle_compact(probe, buffer, (size_t)received, &from, from_length, now_ms());
    } else {
      forward(probe, buffer, (size_t)received, &from);
    }
    pthread_mutex_unlock(&probe->mutex);
  }
}

// The next target of a shuffled round-robin pass (SWIM §4.3), as the JS prober picks them.
static const flb_probe_peer *next_target(flb_probe *probe) {
  if (probe->target_count == 0) return NULL;
  if (probe->order_position >= probe->order_length) {
    for (size_t index = 0; index < probe->target_count; index++) probe->order[index] = index;
    for (size_t index = probe->target_count - 1; index > 0; index--) {
      size_t other = random_u32(probe) % (index + 1), swap = probe->order[index];
      probe->order[index] = probe->order[other];
      probe->order[other] = swap;
    }
    probe->order_length = probe->target_count;
    probe->order_position = 0;
  }
  return &probe->targets[probe->order[probe->order_position++]];
}

static void tick(flb_probe *probe, double now) {
  double late = now - probe->next_tick_ms;
  if (late > probe->interval_ms / 2) {
    flb_probe_event *event = new_event(FLB_PROBE_EVENT_LATE_TICK, NULL, NULL, 0);
    if (event != NULL) event->late_ms = late;
    deliver(probe, event);
  }
  probe->next_tick_ms = now + probe->interval_ms;
  const flb_probe_peer *target = next_target(probe);
  probe->outstanding = target != NULL;
  if (target == NULL) return;
  probe->acked = probe->missed = false;
  probe->sequence = random_u32(probe);
  snprintf(probe->target_name, sizeof probe->target_name, "%s", target->name);
  probe->timeout_at_ms = now + probe->timeout_ms;
  send_message(probe, KIND_PING, probe->sequence, target->name, &target->address, target->address_length);
}

// Runs due deadlines; returns the poll timeout until the next one (-1: none).
static int run_deadlines(flb_probe *probe) {
  double now = now_ms();
  if (probe->outstanding && !probe->acked && !probe->missed && now >= probe->timeout_at_ms) {
    probe->missed = true;
    post_probe(probe, FLB_PROBE_EVENT_MISSED, probe->target_name, probe->sequence);
  }
  if (probe->target_count == 0) {
    probe->next_tick_ms = 0;
    return -1;
  }
  if (probe->next_tick_ms == 0) probe->next_tick_ms = now + probe->interval_ms; // targets just arrived
  if (now >= probe->next_tick_ms) tick(probe, now);
  double next = probe->next_tick_ms;
  if (probe->outstanding && !probe->acked && !probe->missed && probe->timeout_at_ms < next) next = probe->timeout_at_ms;
  double wait = next - now_ms();
  return wait <= 0 ? 0 : (int)wait + 1; // poll counts whole milliseconds: never wake early
}

static void *run(void *data) {
  flb_probe *probe = data;
  uint8_t *buffer = malloc(RECEIVE_BYTES);
  if (buffer == NULL) return NULL;
  for (;;) {
    pthread_mutex_lock(&probe->mutex);
    bool stopping = probe->stopping;
    int timeout = stopping ? 0 : run_deadlines(probe);
    pthread_mutex_unlock(&probe->mutex);
    if (stopping) break;
    struct pollfd fds[2] = {{.fd = probe->fd, .events = POLLIN}, {.fd = probe->wake_fd, .events = POLLIN}};
    if (poll(fds, 2, timeout) < 0 && errno != EINTR) break;
    if (fds[1].revents & POLLIN) {
      uint64_t count;
      if (read(probe->wake_fd, &count, sizeof count) < 0) continue;
    }
    if (fds[0].revents & (POLLIN | POLLERR)) receive_all(probe, buffer);
  }
  free(buffer);
  return NULL;
}

int flb_probe_start(flb_probe *probe) {
  int error = pthread_create(&probe->thread, NULL, run, probe);
  probe->thread_started = error == 0;
  // Named for `top -H` and /proc/<pid>/task/*/comm (at most 15 characters).
  if (error == 0) pthread_setname_np(probe->thread, "ferrolb-gossip");
  return error;
}

void flb_probe_stop(flb_probe *probe) {
  if (probe->thread_started) {
    pthread_mutex_lock(&probe->mutex);
    probe->stopping = true;
    pthread_mutex_unlock(&probe->mutex);
    flb_probe_wake(probe);
    pthread_join(probe->thread, NULL);
    probe->thread_started = false;
  }
  if (probe->fd >= 0) close(probe->fd);
  if (probe->wake_fd >= 0) close(probe->wake_fd);
  probe->fd = probe->wake_fd = -1;
  if (probe->cipher != NULL) EVP_CIPHER_CTX_free(probe->cipher);
  probe->cipher = NULL;
}
