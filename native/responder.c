// The lane threads and the instance's socket registry (see responder.h; the reply path is in
// serve.c). Locking: one mutex per instance guards the socket list, every socket's table, counters
// and forwarding callback, and the fds' lifetime (closed only under it), so a lane never touches a
// closed socket.
#define _GNU_SOURCE
#include "responder.h"

#include <errno.h>
#include <sched.h>
#include <linux/if_packet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "socket.h"

#define WAKE_ID 0

// One lane per CPU the kernel may deliver frames on, so PACKET_FANOUT_CPU's `cpu % lanes` is
// the CPU itself; capped for machines with very many CPUs.
static int lane_count_for_machine(void) {
  long cpus = sysconf(_SC_NPROCESSORS_CONF);
  if (cpus < 1) return 1;
  return cpus > FLB_MAX_LANES ? FLB_MAX_LANES : (int)cpus;
}

static void close_lanes(flb_instance *instance) {
  for (int lane = 0; lane < instance->lane_count; lane++) close(instance->lanes[lane].epoll_fd);
}

flb_instance *flb_instance_create(void) {
  flb_instance *instance = calloc(1, sizeof *instance);
  if (instance == NULL) return NULL;
  pthread_mutex_init(&instance->mutex, NULL);
  pthread_cond_init(&instance->lane_started, NULL);
  instance->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  cpu_set_t allowed;
  int has_affinity = sched_getaffinity(0, sizeof allowed, &allowed) == 0;
  int error = instance->wake_fd < 0 ? errno : 0;
  int wanted = lane_count_for_machine();
  for (int lane = 0; error == 0 && lane < wanted; lane++) {
    flb_lane *entry = &instance->lanes[lane];
    entry->instance = instance;
    entry->index = lane;
    entry->is_pinned = has_affinity && CPU_ISSET(lane, &allowed);
    entry->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = WAKE_ID};
    if (entry->epoll_fd < 0) error = errno;
    else {
      instance->lane_count++;
      if (epoll_ctl(entry->epoll_fd, EPOLL_CTL_ADD, instance->wake_fd, &event) != 0) error = errno;
    }
  }
  if (error != 0) {
    close_lanes(instance);
    if (instance->wake_fd >= 0) close(instance->wake_fd);
    free(instance);
    errno = error;
    return NULL;
  }
  instance->next_id = WAKE_ID + 1;
  instance->refs = 1;
  return instance;
}

void flb_instance_release(flb_instance *instance) {
  if (--instance->refs > 0) return;
  close_lanes(instance);
  close(instance->wake_fd);
  pthread_mutex_destroy(&instance->mutex);
  pthread_cond_destroy(&instance->lane_started);
  free(instance->sockets);
  free(instance);
}

// Pins the lane to its CPU so that fanout's per-CPU delivery wakes a thread on the CPU already
// running the softirq (no inter-processor wake-up, which costs tens of µs in a VM), and asks for a
// short slice so the wake-up preempts whatever runs there, such as a busy JS main thread.
static void prepare_lane(flb_lane *lane) {
  if (lane->is_pinned) {
    cpu_set_t only;
    CPU_ZERO(&only);
    CPU_SET(lane->index, &only);
    pthread_setaffinity_np(pthread_self(), sizeof only, &only);
  }
  flb_lane_apply_scheduling(lane);
}

static void *run(void *argument) {
  flb_lane *lane = argument;
  flb_instance *instance = lane->instance;
  prepare_lane(lane);
  uint8_t *buffer = malloc(FLB_RECEIVE_BYTES);
  struct epoll_event events[32];
  for (int is_running = buffer != NULL; is_running;) {
    int ready = epoll_wait(lane->epoll_fd, events, 32, -1);
    if (ready < 0 && errno != EINTR) break;
    for (int index = 0; index < ready; index++) {
      if (events[index].data.u64 != WAKE_ID) {
        flb_serve(instance, events[index].data.u64, buffer);
        continue;
      }
      // The eventfd stays readable until every lane has seen the stop; it is reset after join.
      pthread_mutex_lock(&instance->mutex);
      is_running = !instance->is_stop_requested;
      pthread_mutex_unlock(&instance->mutex);
    }
  }
  free(buffer);
  return NULL;
}

static void join_lanes(flb_instance *instance, int count) {
  for (int lane = 0; lane < count; lane++) pthread_join(instance->lanes[lane].thread, NULL);
}

static void stop_lanes(flb_instance *instance, int count) {
  pthread_mutex_lock(&instance->mutex);
  instance->is_stop_requested = 1;
  pthread_mutex_unlock(&instance->mutex);
  uint64_t one = 1;
  while (write(instance->wake_fd, &one, sizeof one) < 0 && errno == EINTR) continue;
  join_lanes(instance, count);
  for (int lane = 0; lane < count; lane++) instance->lanes[lane].thread_id = 0;
  uint64_t value;
  while (read(instance->wake_fd, &value, sizeof value) < 0 && errno == EINTR) continue;
  instance->is_stop_requested = 0;
}

static void stop_all_lanes(flb_instance *instance) {
  if (!instance->are_lanes_running) return;
  stop_lanes(instance, instance->lane_count);
  instance->are_lanes_running = 0;
}

// Lane threads wait in epoll_wait with a small stack; one per CPU must not cost 8 MiB each.
#define LANE_STACK_BYTES (256 * 1024)

static int start_lanes(flb_instance *instance) {
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, LANE_STACK_BYTES);
  int error = 0;
  int started = 0;
  for (; started < instance->lane_count; started++) {
    error = pthread_create(&instance->lanes[started].thread, &attributes, run, &instance->lanes[started]);
    if (error != 0) break;
  }
  pthread_attr_destroy(&attributes);
  if (error != 0) {
    stop_lanes(instance, started);
    return error;
  }
  // Open returns once every lane serves with its scheduling applied.
  pthread_mutex_lock(&instance->mutex);
  for (int lane = 0; lane < started; lane++)
    while (instance->lanes[lane].thread_id == 0) pthread_cond_wait(&instance->lane_started, &instance->mutex);
  pthread_mutex_unlock(&instance->mutex);
  return 0;
}

static int grow_sockets(flb_instance *instance) {
  if (instance->socket_count < instance->socket_capacity) return 0;
  size_t capacity = instance->socket_capacity == 0 ? 8 : instance->socket_capacity * 2;
  flb_socket **grown = realloc(instance->sockets, capacity * sizeof *grown);
  if (grown == NULL) return ENOMEM;
  instance->sockets = grown;
  instance->socket_capacity = capacity;
  return 0;
}

// Closes every lane of a socket (instance mutex held).
static void close_socket(flb_instance *instance, flb_socket *socket) {
  for (int lane = 0; lane < socket->lane_count; lane++) {
    epoll_ctl(instance->lanes[lane].epoll_fd, EPOLL_CTL_DEL, socket->fds[lane], NULL);
    close(socket->fds[lane]);
    socket->fds[lane] = -1;
  }
  socket->is_closed = 1;
}

static int watch_lanes(flb_instance *instance, flb_socket *socket) {
  for (int lane = 0; lane < socket->lane_count; lane++) {
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = flb_event_key(socket->id, lane)};
    if (epoll_ctl(instance->lanes[lane].epoll_fd, EPOLL_CTL_ADD, socket->fds[lane], &event) != 0) return errno;
  }
  return 0;
}

// On failure the socket is closed (is_closed set) and the caller only frees it.
int flb_instance_add(flb_instance *instance, flb_socket *socket) {
  pthread_mutex_lock(&instance->mutex);
  int error = grow_sockets(instance);
  if (error == 0) {
    socket->id = instance->next_id++;
    instance->sockets[instance->socket_count++] = socket;
    error = watch_lanes(instance, socket);
    if (error != 0) {
      instance->socket_count--;
      close_socket(instance, socket);
    }
  }
  pthread_mutex_unlock(&instance->mutex);
  if (error != 0 || instance->are_lanes_running) return error;
  error = start_lanes(instance);
  if (error != 0) {
    flb_instance_remove(instance, socket);
    return error;
  }
  instance->are_lanes_running = 1;
  return 0;
}

napi_threadsafe_function flb_instance_remove(flb_instance *instance, flb_socket *socket) {
  if (socket->is_closed) return NULL;
  pthread_mutex_lock(&instance->mutex);
  for (size_t index = 0; index < instance->socket_count; index++) {
    if (instance->sockets[index] != socket) continue;
    instance->sockets[index] = instance->sockets[--instance->socket_count];
    break;
  }
  close_socket(instance, socket);
  napi_threadsafe_function forward = socket->forward;
  socket->forward = NULL;
  size_t remaining = instance->socket_count;
  pthread_mutex_unlock(&instance->mutex);
  if (remaining == 0) stop_all_lanes(instance);
  return forward;
}

void flb_instance_teardown(flb_instance *instance) {
  // Node finalizes thread-safe functions itself at teardown, so they are dropped, not released.
  while (instance->socket_count > 0) flb_instance_remove(instance, instance->sockets[0]);
  stop_all_lanes(instance);
}

int flb_socket_read_stats(flb_socket *socket, flb_stats *stats, flb_counter_slot **slots, size_t *slot_count) {
  pthread_mutex_lock(&socket->instance->mutex);
  // PACKET_STATISTICS resets on every read, so it is folded into the running total here.
  for (int lane = 0; !socket->is_closed && lane < socket->lane_count; lane++) {
    struct tpacket_stats kernel = {0};
    socklen_t kernel_bytes = sizeof kernel;
    if (getsockopt(socket->fds[lane], SOL_PACKET, PACKET_STATISTICS, &kernel, &kernel_bytes) == 0)
      socket->stats.kernel_drops += kernel.tp_drops;
  }
  *stats = socket->stats;
  *slot_count = socket->slot_count;
  *slots = malloc((socket->slot_count + 1) * sizeof **slots);
  if (*slots != NULL && socket->slot_count > 0) memcpy(*slots, socket->slots, socket->slot_count * sizeof **slots);
  pthread_mutex_unlock(&socket->instance->mutex);
  return *slots == NULL ? ENOMEM : 0;
}

void flb_socket_clear_forward(flb_socket *socket) {
  pthread_mutex_lock(&socket->instance->mutex);
  socket->forward = NULL;
  pthread_mutex_unlock(&socket->instance->mutex);
}
