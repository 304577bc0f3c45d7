// Scheduling of the lane threads. By default each lane asks the fair scheduler (EEVDF, Linux
// >= 6.12) for its shortest slice: a thread with a short slice preempts the running task when it
// wakes, where a default-slice thread waits until the runner's slice ends (measured here with the
// JS main thread spinning on the same CPU: arping p99 1.2-3 ms -> under 100 µs). Older kernels
// ignore the request. Optionally SCHED_FIFO (responderPriority): it needs CAP_SYS_NICE, and a
// flood may then use up to the kernel's real-time share of a CPU.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "responder.h"

// struct sched_attr of sched_setattr(2) (its first, stable layout); glibc 2.36 has no wrapper and
// <linux/sched/types.h> clashes with <sched.h>.
typedef struct {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
} scheduling_attributes;

// The kernel's minimum custom slice (100 µs).
#define SHORT_SLICE_NANOS 100000

// sched_setattr(2) by thread id: SCHED_FIFO at `priority`, or the fair class with a short slice.
static int apply_scheduling(pid_t thread_id, int priority) {
  scheduling_attributes attributes;
  memset(&attributes, 0, sizeof attributes);
  attributes.size = sizeof attributes;
  attributes.sched_policy = priority > 0 ? SCHED_FIFO : SCHED_OTHER;
  attributes.sched_priority = (uint32_t)priority;
  if (priority == 0) {
    attributes.sched_nice = getpriority(PRIO_PROCESS, (id_t)thread_id);
    attributes.sched_runtime = SHORT_SLICE_NANOS;
  }
  return syscall(SYS_sched_setattr, thread_id, &attributes, 0) == 0 ? 0 : errno;
}

void flb_lane_apply_scheduling(flb_lane *lane) {
  pthread_mutex_lock(&lane->instance->mutex);
  lane->thread_id = (pid_t)syscall(SYS_gettid);
  // The permission was probed when the priority was set; a failure leaves normal scheduling.
  if (apply_scheduling(lane->thread_id, lane->instance->priority) != 0 && lane->instance->priority > 0)
    apply_scheduling(lane->thread_id, 0);
  pthread_cond_broadcast(&lane->instance->lane_started);
  pthread_mutex_unlock(&lane->instance->mutex);
}

static void *exit_at_once(void *argument) { return argument; }

// Probes the permission with a throw-away thread created with the policy, so a missing
// CAP_SYS_NICE is reported now even when no lane thread runs yet.
static int probe_priority(int priority) {
  pthread_attr_t attributes;
  struct sched_param parameters = {.sched_priority = priority};
  pthread_attr_init(&attributes);
  pthread_attr_setinheritsched(&attributes, PTHREAD_EXPLICIT_SCHED);
  pthread_attr_setschedpolicy(&attributes, SCHED_FIFO);
  pthread_attr_setschedparam(&attributes, &parameters);
  pthread_t probe;
  int error = pthread_create(&probe, &attributes, exit_at_once, NULL);
  pthread_attr_destroy(&attributes);
  if (error == 0) pthread_join(probe, NULL);
  return error;
}

int flb_instance_set_priority(flb_instance *instance, int priority) {
  if (priority < 0 || priority > 99) return EINVAL;
  int error = priority > 0 ? probe_priority(priority) : 0;
  if (error != 0) return error;
  pthread_mutex_lock(&instance->mutex);
  instance->priority = priority;
  // Lanes that have not recorded their thread id yet read the priority when they do.
  for (int lane = 0; error == 0 && instance->are_lanes_running && lane < instance->lane_count; lane++)
    if (instance->lanes[lane].thread_id != 0) error = apply_scheduling(instance->lanes[lane].thread_id, priority);
  pthread_mutex_unlock(&instance->mutex);
  return error;
}
