// JS values built from C state: the counters object and classifyFrame's verdict.
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "binding.h"

static napi_value address_counters(napi_env env, const flb_counter_slot *slots, size_t count) {
  napi_value list;
  if (napi_create_array_with_length(env, count, &list) != napi_ok) return NULL;
  for (size_t index = 0; index < count; index++) {
    char text[INET6_ADDRSTRLEN];
    int family = slots[index].address_bytes == FLB_IPV4_BYTES ? AF_INET : AF_INET6;
    inet_ntop(family, slots[index].address, text, sizeof text);
    napi_value entry, ip;
    if (napi_create_object(env, &entry) != napi_ok || napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &ip) != napi_ok ||
        napi_set_named_property(env, entry, "ip", ip) != napi_ok ||
        !flb_set_number(env, entry, "requestsReceived", (double)slots[index].requests_received) ||
        !flb_set_number(env, entry, "responsesSent", (double)slots[index].responses_sent) ||
        napi_set_element(env, list, (uint32_t)index, entry) != napi_ok)
      return NULL;
  }
  return list;
}

static napi_value number_list(napi_env env, const uint64_t *numbers, size_t count) {
  napi_value list, value;
  if (napi_create_array_with_length(env, count, &list) != napi_ok) return NULL;
  for (size_t index = 0; index < count; index++)
    if (napi_create_double(env, (double)numbers[index], &value) != napi_ok ||
        napi_set_element(env, list, (uint32_t)index, value) != napi_ok)
      return NULL;
  return list;
}

static napi_value latency_value(napi_env env, const flb_stats *stats) {
  uint64_t bounds[FLB_LATENCY_BOUND_COUNT], count = 0;
  for (size_t index = 0; index < FLB_LATENCY_BOUND_COUNT; index++) bounds[index] = flb_latency_bounds_micros[index];
  for (size_t index = 0; index <= FLB_LATENCY_BOUND_COUNT; index++) count += stats->latency_counts[index];
  napi_value latency, bounds_value, counts_value;
  if (napi_create_object(env, &latency) != napi_ok) return NULL;
  bounds_value = number_list(env, bounds, FLB_LATENCY_BOUND_COUNT);
  counts_value = number_list(env, stats->latency_counts, FLB_LATENCY_BOUND_COUNT + 1);
  if (bounds_value == NULL || counts_value == NULL || napi_set_named_property(env, latency, "boundsMicros", bounds_value) != napi_ok ||
      napi_set_named_property(env, latency, "counts", counts_value) != napi_ok ||
      !flb_set_number(env, latency, "sumSeconds", (double)stats->latency_sum_nanos / 1e9) ||
      !flb_set_number(env, latency, "count", (double)count))
    return NULL;
  return latency;
}

static napi_value drops_value(napi_env env, const flb_stats *stats) {
  napi_value drops;
  if (napi_create_object(env, &drops) != napi_ok) return NULL;
  for (int reason = FLB_ANSWER + 1; reason < FLB_REASON_COUNT; reason++)
    if (!flb_set_number(env, drops, flb_reason_name((flb_reason)reason), (double)stats->drops[reason])) return NULL;
  return drops;
}

static napi_value stats_value(napi_env env, const flb_stats *stats, const flb_counter_slot *slots, size_t slot_count) {
  napi_value result, addresses, drops, latency;
  if (napi_create_object(env, &result) != napi_ok) return NULL;
  addresses = address_counters(env, slots, slot_count);
  drops = drops_value(env, stats);
  latency = latency_value(env, stats);
  if (addresses == NULL || drops == NULL || latency == NULL || napi_set_named_property(env, result, "addresses", addresses) != napi_ok ||
      napi_set_named_property(env, result, "drops", drops) != napi_ok ||
      napi_set_named_property(env, result, "latency", latency) != napi_ok ||
      !flb_set_number(env, result, "framesReceived", (double)stats->frames_received) ||
      !flb_set_number(env, result, "receiveErrors", (double)stats->receive_errors) ||
      !flb_set_number(env, result, "sendFailures", (double)stats->send_failures) ||
      !flb_set_number(env, result, "framesForwarded", (double)stats->frames_forwarded) ||
      !flb_set_number(env, result, "forwardDropped", (double)stats->forward_dropped) ||
      !flb_set_number(env, result, "kernelDrops", (double)stats->kernel_drops) ||
      !flb_set_number(env, result, "otherInterface", (double)stats->other_interface) ||
      !flb_set_number(env, result, "otherHost", (double)stats->other_host))
    return NULL;
  return result;
}

napi_value flb_counters_value(napi_env env, flb_socket *socket) {
  flb_stats stats;
  flb_counter_slot *slots = NULL;
  size_t slot_count = 0;
  if (flb_socket_read_stats(socket, &stats, &slots, &slot_count) != 0)
    return flb_throw_errno(env, socket->interface_name, "counters", ENOMEM);
  napi_value result = stats_value(env, &stats, slots, slot_count);
  free(slots);
  return result != NULL ? result : flb_throw_last(env);
}

static napi_value verdict_value(napi_env env, const flb_verdict *verdict) {
  napi_value result, verdict_name, detail;
  const char *name = verdict->reason == FLB_ANSWER ? "answer" : "drop";
  FLB_CALL(env, napi_create_object(env, &result));
  FLB_CALL(env, napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &verdict_name));
  FLB_CALL(env, napi_set_named_property(env, result, "verdict", verdict_name));
  if (verdict->reason == FLB_ANSWER) {
    FLB_CALL(env, napi_create_buffer_copy(env, verdict->reply_length, verdict->reply, NULL, &detail));
    FLB_CALL(env, napi_set_named_property(env, result, "reply", detail));
  } else {
    FLB_CALL(env, napi_create_string_utf8(env, flb_reason_name(verdict->reason), NAPI_AUTO_LENGTH, &detail));
    FLB_CALL(env, napi_set_named_property(env, result, "reason", detail));
  }
  return result;
}

napi_value flb_classify_frame(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  FLB_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint8_t *frame = NULL;
  size_t length = 0;
  flb_protocol protocol;
  if (argc < 3 || !flb_get_bytes(env, argv[0], &frame, &length))
    return flb_throw_type(env, "classifyFrame", "frame must be a Uint8Array");
  if (!flb_get_protocol(env, argv[2], "classifyFrame", &protocol)) return NULL;
  flb_table *table = flb_parse_table(env, argv[1], "classifyFrame");
  if (table == NULL) return NULL;
  flb_verdict verdict;
  flb_classify(frame, length, table, protocol, &verdict);
  flb_table_free(table);
  return verdict_value(env, &verdict);
}
