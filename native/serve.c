// The reply path of a lane thread: read a frame, classify it against the socket's owned table,
// answer it on the same lane, count it, and hand frames claiming an owned address to JS.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_packet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "responder.h"
#include "socket.h"

#define FRAMES_PER_WAKE 64 // fairness between sockets under a flood

const uint32_t flb_latency_bounds_micros[FLB_LATENCY_BOUND_COUNT] = {5, 10, 25, 50, 100, 250, 500, 1000};

static uint64_t elapsed_nanos(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  int64_t nanos = (int64_t)(now.tv_sec - start->tv_sec) * 1000000000 + (now.tv_nsec - start->tv_nsec);
  return nanos < 0 ? 0 : (uint64_t)nanos; // a clock step backwards must not wrap
}

// The kernel's receive time (SO_TIMESTAMPNS, CLOCK_REALTIME) of the frame just read, else now.
static void receive_time(struct msghdr *message, struct timespec *received_at) {
  for (struct cmsghdr *control = CMSG_FIRSTHDR(message); control != NULL; control = CMSG_NXTHDR(message, control)) {
    if (control->cmsg_level == SOL_SOCKET && control->cmsg_type == SCM_TIMESTAMPNS) {
      memcpy(received_at, CMSG_DATA(control), sizeof *received_at);
      return;
    }
  }
  clock_gettime(CLOCK_REALTIME, received_at);
}

static void record_latency(flb_stats *stats, uint64_t nanos) {
  size_t bucket = 0;
  while (bucket < FLB_LATENCY_BOUND_COUNT && nanos > (uint64_t)flb_latency_bounds_micros[bucket] * 1000) bucket++;
  stats->latency_counts[bucket]++;
  stats->latency_sum_nanos += nanos;
}

// Hands a frame claiming an owned address to JS without waiting: a full queue drops it (counted)
// rather than stalling replies.
static void forward(flb_socket *socket, const uint8_t *frame, size_t length) {
  forwarded_frame *copy = malloc(sizeof *copy + length);
  if (copy == NULL) {
    socket->stats.forward_dropped++;
    return;
  }
  memcpy(copy->interface_name, socket->interface_name, IF_NAMESIZE);
  copy->length = length;
  memcpy(copy->frame, frame, length);
  if (napi_call_threadsafe_function(socket->forward, copy, napi_tsfn_nonblocking) != napi_ok) {
    free(copy);
    socket->stats.forward_dropped++;
    return;
  }
  socket->stats.frames_forwarded++;
}

static void answer(flb_socket *socket, int lane, const flb_verdict *verdict, const struct timespec *received_at) {
  int is_ipv4 = socket->protocol == FLB_PROTOCOL_ARP;
  uint32_t slot = is_ipv4 ? socket->table->ipv4_slot[verdict->owned_index] : socket->table->ipv6_slot[verdict->owned_index];
  socket->slots[slot].requests_received++;
  if (flb_socket_send(socket->fds[lane], socket->ifindex, verdict->reply, verdict->reply_length) != 0) {
    socket->stats.send_failures++;
    return;
  }
  socket->slots[slot].responses_sent++;
  record_latency(&socket->stats, elapsed_nanos(received_at));
}

void flb_instance_set_reply_limit(flb_instance *instance, double per_second, double burst) {
  pthread_mutex_lock(&instance->mutex);
  instance->reply_rate_per_second = per_second;
  instance->reply_burst = burst;
  for (size_t index = 0; index < instance->socket_count; index++) instance->sockets[index]->reply_refilled_nanos = 0;
  pthread_mutex_unlock(&instance->mutex);
}

// One token per answer, per socket (an interface and a protocol), refilled at the instance's rate
// (issue 12 #11): a flood of requests for an owned IP must not turn into as many replies, and a
// flood on one interface must not starve the others. Monotonic clock: a wall-clock step must
// neither empty nor overfill the bucket. Called with the instance mutex held.
static int take_reply_token(flb_socket *socket) {
  const flb_instance *instance = socket->instance;
  if (instance->reply_rate_per_second <= 0) return 1;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  uint64_t now_nanos = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
  if (socket->reply_refilled_nanos == 0) socket->reply_tokens = instance->reply_burst;
  else socket->reply_tokens += (double)(now_nanos - socket->reply_refilled_nanos) * instance->reply_rate_per_second / 1e9;
  if (socket->reply_tokens > instance->reply_burst) socket->reply_tokens = instance->reply_burst;
  socket->reply_refilled_nanos = now_nanos;
  if (socket->reply_tokens < 1) return 0;
  socket->reply_tokens -= 1;
  return 1;
}

static void handle_frame(flb_socket *socket, int lane, const uint8_t *frame, size_t length,
                         const struct timespec *received_at) {
  socket->stats.frames_received++;
  if (socket->table == NULL) { // no table pushed yet: nothing is owned
    socket->stats.drops[FLB_DROP_ANNOUNCE_IP]++;
    return;
  }
  flb_verdict verdict;
  flb_classify(frame, length, socket->table, socket->protocol, &verdict);
  if (verdict.reason == FLB_ANSWER && !take_reply_token(socket)) socket->stats.drops[FLB_DROP_RATE_LIMITED]++;
  else if (verdict.reason == FLB_ANSWER) answer(socket, lane, &verdict, received_at);
  else socket->stats.drops[verdict.reason]++;
  if (socket->forward != NULL && flb_claims_owned(frame, length, socket->table, socket->protocol))
    forward(socket, frame, length);
}

static flb_socket *find_socket(flb_instance *instance, uint64_t id) {
  for (size_t index = 0; index < instance->socket_count; index++)
    if (instance->sockets[index]->id == id) return instance->sockets[index];
  return NULL;
}

// Reads up to FRAMES_PER_WAKE frames from one lane of a socket; the lock is taken per frame so
// table swaps and counter reads from JS wait at most one frame.
void flb_serve(flb_instance *instance, uint64_t key, uint8_t *buffer) {
  for (int count = 0; count < FRAMES_PER_WAKE; count++) {
    pthread_mutex_lock(&instance->mutex);
    flb_socket *socket = find_socket(instance, key >> 8);
    int lane = (int)(key & 0xff);
    if (socket == NULL || lane >= socket->lane_count) {
      pthread_mutex_unlock(&instance->mutex);
      return;
    }
    struct iovec vector = {.iov_base = buffer, .iov_len = FLB_RECEIVE_BYTES};
    union {
      struct cmsghdr header;
      uint8_t bytes[CMSG_SPACE(sizeof(struct timespec))];
    } control;
    struct sockaddr_ll source;
    struct msghdr message = {.msg_name = &source, .msg_namelen = sizeof source, .msg_iov = &vector, .msg_iovlen = 1,
                             .msg_control = &control, .msg_controllen = sizeof control};
    ssize_t received = recvmsg(socket->fds[lane], &message, MSG_DONTWAIT);
    struct timespec received_at;
    if (received >= 0) receive_time(&message, &received_at);
    int is_done = received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    // Other errors (ENETDOWN when the link goes down) are reported once by the kernel and cleared.
    if (received < 0 && !is_done) socket->stats.receive_errors++;
    // The kernel also hands a socket bound to eth0 the frames received on devices stacked on it
    // (eth0.100, macvlan): they arrive untagged, so answering them would leak across VLANs.
    if (received >= 0 && source.sll_ifindex != socket->ifindex) socket->stats.other_interface++;
    // Tagged for a VLAN this host has no device for, the kernel strips the tag and marks the frame
    // for another host; its own ARP and NDP ignore such frames, and an untagged reply from us would
    // leak the VIP into the wrong VLAN (also unicast to another MAC on a promiscuous interface).
    else if (received >= 0 && source.sll_pkttype == PACKET_OTHERHOST) socket->stats.other_host++;
    else if (received >= 0) handle_frame(socket, lane, buffer, (size_t)received, &received_at);
    pthread_mutex_unlock(&instance->mutex);
    if (is_done) return;
  }
}
