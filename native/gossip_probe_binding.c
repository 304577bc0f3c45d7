// The compact-probe part of the addon's JS surface (src/l2/native.ts: probeOpen, probeSend,
// probeSetTargets, probeSetAllowed, probeConfigure, probeInfo, probeClose), used by the gossip
// worker (src/membership/udp.ts). Events reach JS through a thread-safe function that does not
// keep the loop alive; closing, the environment's teardown and garbage collection each stop the
// thread first, and each is safe after the others.
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "gossip_probe.h"
#include "gossip_probe_binding.h"

#define EVENT_QUEUE_LENGTH 4096
#define MAX_SENDERS 2048

static const napi_type_tag probe_tag = {0x666572726f6c6200ULL, 0x676f737369700001ULL};

typedef struct {
  flb_probe probe;
  napi_threadsafe_function events;
  bool closed;
  bool cleanup_hooked;
} probe_handle;

static bool post_event(flb_probe *probe, flb_probe_event *event) {
  probe_handle *handle = (probe_handle *)probe;
  if (napi_call_threadsafe_function(handle->events, event, napi_tsfn_nonblocking) == napi_ok) return true;
  free(event);
  return false;
}

static const char *kind_name(flb_probe_event_kind kind) {
  switch (kind) {
    case FLB_PROBE_EVENT_DATAGRAM: return "datagram";
    case FLB_PROBE_EVENT_MISSED: return "missed";
    case FLB_PROBE_EVENT_LATE_ACK: return "lateAck";
    case FLB_PROBE_EVENT_ACKED: return "acked";
    case FLB_PROBE_EVENT_LATE_TICK: return "lateTick";
    default: return "stranger";
  }
}

static void set_string(napi_env env, napi_value object, const char *name, const char *text) {
  napi_value value;
  if (napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value) == napi_ok)
    napi_set_named_property(env, object, name, value);
}

// Runs on the JS thread; env is NULL when the function is being torn down (then only frees).
static void call_js(napi_env env, napi_value callback, void *context, void *data) {
  (void)context;
  flb_probe_event *event = data;
  napi_value object, receiver, result, packet;
  if (env != NULL && callback != NULL && napi_create_object(env, &object) == napi_ok) {
    set_string(env, object, "kind", kind_name(event->kind));
    if (event->kind == FLB_PROBE_EVENT_DATAGRAM) {
      void *bytes = NULL;
      if (napi_create_buffer_copy(env, event->length, event->data, &bytes, &packet) == napi_ok)
        napi_set_named_property(env, object, "packet", packet);
    }
    if (event->name[0] != 0) set_string(env, object, "name", event->name);
    if (event->address[0] != 0) {
      set_string(env, object, "address", event->address);
      flb_set_number(env, object, "port", event->port);
    }
    if (event->kind == FLB_PROBE_EVENT_MISSED || event->kind == FLB_PROBE_EVENT_LATE_ACK ||
        event->kind == FLB_PROBE_EVENT_ACKED)
      flb_set_number(env, object, "sequence", event->sequence);
    if (event->kind == FLB_PROBE_EVENT_LATE_TICK) flb_set_number(env, object, "lateMs", event->late_ms);
    if (napi_get_global(env, &receiver) == napi_ok) napi_call_function(env, receiver, callback, 1, &object, &result);
  }
  free(event);
}

static void release(probe_handle *handle) {
  free(handle->probe.targets);
  free(handle->probe.order);
  free(handle->probe.allowed);
  free(handle->probe.senders);
  handle->probe.targets = handle->probe.allowed = NULL;
  handle->probe.order = NULL;
  handle->probe.senders = NULL;
}

// Stops the thread (no event is posted after it), then lets go of the thread-safe function.
static void close_probe(probe_handle *handle) {
  if (handle->closed) return;
  handle->closed = true;
  flb_probe_stop(&handle->probe);
  if (handle->events != NULL) napi_release_threadsafe_function(handle->events, napi_tsfn_abort);
  handle->events = NULL;
}

static void teardown(void *data) {
  probe_handle *handle = data;
  handle->cleanup_hooked = false;
  close_probe(handle);
}

static void finalize_probe(napi_env env, void *data, void *hint) {
  (void)hint;
  probe_handle *handle = data;
  close_probe(handle);
  if (handle->cleanup_hooked) napi_remove_env_cleanup_hook(env, teardown, handle);
  release(handle);
  pthread_mutex_destroy(&handle->probe.mutex);
  free(handle);
}

// Reads a non-empty string property of at most size - 1 bytes (a longer one is refused, never cut).
static bool get_string(napi_env env, napi_value object, const char *name, char *out, size_t size) {
  napi_value value;
  char text[512];
  size_t length = 0;
  if (size > sizeof text || napi_get_named_property(env, object, name, &value) != napi_ok) return false;
  if (napi_get_value_string_utf8(env, value, text, sizeof text, &length) != napi_ok) return false;
  if (length == 0 || length > size - 1) return false;
  memcpy(out, text, length + 1);
  return true;
}

static bool get_number(napi_env env, napi_value object, const char *name, double *out) {
  napi_value value;
  return napi_get_named_property(env, object, name, &value) == napi_ok &&
         napi_get_value_double(env, value, out) == napi_ok;
}

static bool get_bytes_named(napi_env env, napi_value object, const char *name, uint8_t **data, size_t *length) {
  napi_value value;
  return napi_get_named_property(env, object, name, &value) == napi_ok && flb_get_bytes(env, value, data, length);
}

static probe_handle *get_handle(napi_env env, napi_value value, const char *function) {
  bool is_probe = false;
  probe_handle *handle = NULL;
  if (napi_check_object_type_tag(env, value, &probe_tag, &is_probe) != napi_ok || !is_probe ||
      napi_get_value_external(env, value, (void **)&handle) != napi_ok) {
    flb_throw_type(env, function, "expected a handle returned by probeOpen");
    return NULL;
  }
  return handle;
}

// Reads [{name, address, port}] into peers; NULL with a TypeError thrown on bad input.
static flb_probe_peer *read_peers(napi_env env, const flb_probe *probe, napi_value list, bool with_port,
                                  const char *function, size_t *count) {
  bool is_array = false;
  uint32_t length = 0;
  if (napi_is_array(env, list, &is_array) != napi_ok || !is_array || napi_get_array_length(env, list, &length) != napi_ok) {
    flb_throw_type(env, function, "expects an array of members");
    return NULL;
  }
  flb_probe_peer *peers = calloc(length + 1, sizeof *peers);
  for (uint32_t index = 0; peers != NULL && index < length; index++) {
    napi_value element;
    char address[FLB_PROBE_ADDRESS_TEXT];
    double port = 0;
    if (napi_get_element(env, list, index, &element) != napi_ok ||
        !get_string(env, element, "name", peers[index].name, sizeof peers[index].name) ||
        !get_string(env, element, "address", address, sizeof address) ||
        (with_port && (!get_number(env, element, "port", &port) || port < 1 || port > 65535)) ||
        !flb_probe_address(probe, address, (uint16_t)port, &peers[index].address, &peers[index].address_length)) {
      free(peers);
      flb_throw_type(env, function, "every member needs a name, an IP address and (targets) a port");
      return NULL;
    }
  }
  if (peers == NULL) flb_throw_errno(env, "(gossip)", function, ENOMEM);
  *count = length;
  return peers;
}

// probeOpen({address, port, name, key, boot, id, silenceMs, intervalMs, timeoutMs}, onEvent)
static napi_value probe_open(napi_env env, napi_callback_info info) {
  const char *function = "probeOpen";
  size_t argc = 2;
  napi_value argv[2], result, resource;
  napi_valuetype type = napi_undefined;
  FLB_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || napi_typeof(env, argv[1], &type) != napi_ok || type != napi_function)
    return flb_throw_type(env, function, "expects (options, onEvent)");
  probe_handle *handle = calloc(1, sizeof *handle);
  if (handle == NULL) return flb_throw_errno(env, "(gossip)", function, ENOMEM);
  flb_probe *probe = &handle->probe;
  probe->fd = probe->wake_fd = -1;
  pthread_mutex_init(&probe->mutex, NULL);
  char address[FLB_PROBE_ADDRESS_TEXT];
  double port = -1, boot = 0;
  uint8_t *key = NULL, *id = NULL;
  size_t key_length = 0, id_length = 0;
  napi_value key_value;
  napi_valuetype key_type = napi_undefined;
  bool valid = get_string(env, argv[0], "address", address, sizeof address) &&
               get_number(env, argv[0], "port", &port) && port >= 0 && port <= 65535 &&
               get_string(env, argv[0], "name", probe->name, sizeof probe->name) &&
               get_number(env, argv[0], "boot", &boot) && boot >= 0 &&
               get_bytes_named(env, argv[0], "id", &id, &id_length) && id_length == FLB_PROBE_ID_BYTES &&
               get_number(env, argv[0], "silenceMs", &probe->silence_ms) &&
               get_number(env, argv[0], "intervalMs", &probe->interval_ms) && probe->interval_ms > 0 &&
               get_number(env, argv[0], "timeoutMs", &probe->timeout_ms) && probe->timeout_ms > 0 &&
               napi_get_named_property(env, argv[0], "key", &key_value) == napi_ok &&
               napi_typeof(env, key_value, &key_type) == napi_ok &&
               (key_type == napi_null || (flb_get_bytes(env, key_value, &key, &key_length) &&
                                          key_length == FLB_PROBE_KEY_BYTES));
  if (!valid) {
    free(handle);
    return flb_throw_type(env, function,
                          "options need address, port, name, boot, id (8 bytes), silenceMs, intervalMs, timeoutMs "
                          "and key (32 bytes or null)");
  }
  probe->has_key = key != NULL;
  if (key != NULL) memcpy(probe->key, key, FLB_PROBE_KEY_BYTES);
  probe->boot = (uint64_t)boot;
  memcpy(probe->id, id, FLB_PROBE_ID_BYTES);
  probe->allow_all = true;
  probe->post = post_event;
  probe->senders = calloc(MAX_SENDERS, sizeof *probe->senders);
  int error = probe->senders == NULL ? ENOMEM : flb_probe_open(probe, address, (uint16_t)port);
  if (error == 0) {
    napi_create_string_utf8(env, "ferrolb:gossip", NAPI_AUTO_LENGTH, &resource);
    if (napi_create_threadsafe_function(env, argv[1], NULL, resource, EVENT_QUEUE_LENGTH, 1, NULL, NULL, NULL, call_js,
                                        &handle->events) != napi_ok)
      error = ENOMEM;
  }
  if (error == 0) {
    napi_unref_threadsafe_function(env, handle->events);
    error = flb_probe_start(probe);
  }
  if (error != 0) {
    close_probe(handle);
    release(handle);
    pthread_mutex_destroy(&probe->mutex);
    free(handle);
    return flb_throw_errno(env, "(gossip)", error == EADDRINUSE || error == EADDRNOTAVAIL ? "bind" : function, error);
  }
  if (napi_create_external(env, handle, finalize_probe, NULL, &result) != napi_ok ||
      napi_type_tag_object(env, result, &probe_tag) != napi_ok) {
    close_probe(handle);
    return flb_throw_last(env);
  }
  napi_add_env_cleanup_hook(env, teardown, handle);
  handle->cleanup_hooked = true;
  return result;
}

// probeSend(handle, packet, address, port): true when the kernel took the datagram.
static napi_value probe_send(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], result;
  FLB_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  probe_handle *handle = argc < 4 ? NULL : get_handle(env, argv[0], "probeSend");
  if (handle == NULL) return argc < 4 ? flb_throw_type(env, "probeSend", "expects (handle, packet, address, port)") : NULL;
  uint8_t *packet = NULL;
  size_t length = 0;
  char address[FLB_PROBE_ADDRESS_TEXT] = {0};
  size_t address_length = 0;
  uint32_t port = 0;
  struct sockaddr_storage to;
  socklen_t to_length = 0;
  if (!flb_get_bytes(env, argv[1], &packet, &length) ||
      napi_get_value_string_utf8(env, argv[2], address, sizeof address, &address_length) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &port) != napi_ok)
    return flb_throw_type(env, "probeSend", "expects (handle, Uint8Array, address, port)");
  // An address this socket cannot reach is a lost datagram, as a failed send is for gossip.
  bool reachable = port >= 1 && port <= 65535 && flb_probe_address(&handle->probe, address, (uint16_t)port, &to, &to_length);
  bool sent = reachable && !handle->closed && sendto(handle->probe.fd, packet, length, MSG_DONTWAIT, (struct sockaddr *)&to,
                                        to_length) == (ssize_t)length;
  FLB_CALL(env, napi_get_boolean(env, sent, &result));
  return result;
}

// probeSetTargets(handle, [{name, address, port}]): the members this thread probes.
static napi_value probe_set_targets(napi_env env, napi_callback_info info) {
  size_t argc = 2, count = 0;
  napi_value argv[2];
  FLB_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  probe_handle *handle = argc < 2 ? NULL : get_handle(env, argv[0], "probeSetTargets");
  if (handle == NULL) return argc < 2 ? flb_throw_type(env, "probeSetTargets", "expects (handle, targets)") : NULL;
  flb_probe_peer *targets = read_peers(env, &handle->probe, argv[1], true, "probeSetTargets", &count);
  if (targets == NULL || handle->closed) {
    free(targets);
    return NULL;
  }
  pthread_mutex_lock(&handle->probe.mutex);
  flb_probe_set_targets(&handle->probe, targets, count);
  pthread_mutex_unlock(&handle->probe.mutex);
  flb_probe_wake(&handle->probe);
  return NULL;
}

// probeSetAllowed(handle, [{name, address}] | null): who may send compact probes (null: anyone).
static napi_value probe_set_allowed(napi_env env, napi_callback_info info) {
  size_t argc = 2, count = 0;
  napi_value argv[2];
  napi_valuetype type = napi_undefined;
  FLB_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  probe_handle *handle = argc < 2 ? NULL : get_handle(env, argv[0], "probeSetAllowed");
  if (handle == NULL) return argc < 2 ? flb_throw_type(env, "probeSetAllowed", "expects (handle, allowed)") : NULL;
  napi_typeof(env, argv[1], &type);
  flb_probe_peer *allowed = NULL;
  if (type != napi_null) {
    allowed = read_peers(env, &handle->probe, argv[1], false, "probeSetAllowed", &count);
    if (allowed == NULL) return NULL;
  }
  if (handle->closed) {
    free(allowed);
    return NULL;
  }
  pthread_mutex_lock(&handle->probe.mutex);
  free(handle->probe.allowed);
  handle->probe.allowed = allowed;
  handle->probe.allowed_count = count;
  handle->probe.allow_all = type == napi_null;
  pthread_mutex_unlock(&handle->probe.mutex);
  return NULL;
}

// probeConfigure(handle, intervalMs, timeoutMs, reportAcks): Lifeguard-scaled timings.
static napi_value probe_configure(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  double interval = 0, timeout = 0;
  bool report = false;
  FLB_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  probe_handle *handle = argc < 4 ? NULL : get_handle(env, argv[0], "probeConfigure");
  if (handle == NULL) return argc < 4 ? flb_throw_type(env, "probeConfigure", "expects 4 arguments") : NULL;
  if (napi_get_value_double(env, argv[1], &interval) != napi_ok || interval <= 0 ||
      napi_get_value_double(env, argv[2], &timeout) != napi_ok || timeout <= 0 ||
      napi_get_value_bool(env, argv[3], &report) != napi_ok)
    return flb_throw_type(env, "probeConfigure", "expects (handle, intervalMs > 0, timeoutMs > 0, reportAcks)");
  if (handle->closed) return NULL;
  pthread_mutex_lock(&handle->probe.mutex);
  handle->probe.interval_ms = interval;
  handle->probe.timeout_ms = timeout;
  handle->probe.report_acks = report;
  pthread_mutex_unlock(&handle->probe.mutex);
  flb_probe_wake(&handle->probe);
  return NULL;
}

// probeInfo(handle): {fd, port, packetsSent, bytesSent, packetsReceived, bytesReceived, drops}
static napi_value probe_info(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result, drops;
  FLB_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  probe_handle *handle = argc < 1 ? NULL : get_handle(env, argv[0], "probeInfo");
  if (handle == NULL) return argc < 1 ? flb_throw_type(env, "probeInfo", "expects (handle)") : NULL;
  FLB_CALL(env, napi_create_object(env, &result));
  FLB_CALL(env, napi_create_object(env, &drops));
  pthread_mutex_lock(&handle->probe.mutex);
  flb_probe_stats stats = handle->probe.stats;
  pthread_mutex_unlock(&handle->probe.mutex);
  flb_set_number(env, result, "fd", handle->closed ? -1 : handle->probe.fd);
  flb_set_number(env, result, "port", handle->closed ? 0 : flb_probe_port(&handle->probe));
  flb_set_number(env, result, "packetsSent", (double)stats.packets_sent);
  flb_set_number(env, result, "bytesSent", (double)stats.bytes_sent);
  flb_set_number(env, result, "packetsReceived", (double)stats.packets_received);
  flb_set_number(env, result, "bytesReceived", (double)stats.bytes_received);
  for (int drop = 0; drop < FLB_PROBE_DROP_COUNT; drop++)
    if (stats.drops[drop] > 0) flb_set_number(env, drops, flb_probe_drop_name(drop), (double)stats.drops[drop]);
  FLB_CALL(env, napi_set_named_property(env, result, "drops", drops));
  return result;
}

// probeClose(handle): stops the thread and closes the socket; later calls do nothing.
static napi_value probe_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  FLB_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  probe_handle *handle = argc < 1 ? NULL : get_handle(env, argv[0], "probeClose");
  if (handle == NULL) return argc < 1 ? flb_throw_type(env, "probeClose", "expects (handle)") : NULL;
  close_probe(handle);
  return NULL;
}

napi_value flb_gossip_probe_register(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"probeOpen", NULL, probe_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"probeSend", NULL, probe_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"probeSetTargets", NULL, probe_set_targets, NULL, NULL, NULL, napi_enumerable, NULL},
      {"probeSetAllowed", NULL, probe_set_allowed, NULL, NULL, NULL, napi_enumerable, NULL},
      {"probeConfigure", NULL, probe_configure, NULL, NULL, NULL, napi_enumerable, NULL},
      {"probeInfo", NULL, probe_info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"probeClose", NULL, probe_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  FLB_CALL(env, napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties));
  return exports;
}
