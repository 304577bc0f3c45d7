// ferrolb_packet: the Node-API entry points (see src/l2/native.ts for the typed surface). Each
// open socket is a tagged external; the lane threads (responder.c) answer on it in C.
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "gossip_probe_binding.h"
#include "netlink_binding.h"
#include "socket.h"
#include "socket_filter_binding.h"

// Tags the externals so a foreign external passed by mistake is a TypeError, not memory corruption.
static const napi_type_tag socket_tag = {0x666572726f6c6200ULL, 0x7061636b65740001ULL};

static void release_socket(flb_socket *socket) {
  if (--socket->refs > 0) return;
  flb_table_free(socket->table);
  free(socket->slots);
  flb_instance_release(socket->instance);
  free(socket);
}

static void close_socket(flb_socket *socket) {
  napi_threadsafe_function forward = flb_instance_remove(socket->instance, socket);
  if (forward != NULL) napi_release_threadsafe_function(forward, napi_tsfn_release);
}

static void finalize_socket(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  close_socket(data);
  release_socket(data);
}

static void finalize_forward(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  flb_socket_clear_forward(data);
  release_socket(data);
}

// Runs on the JS thread for each frame the responder forwarded: onFrame(interfaceName, frame).
static void call_forward(napi_env env, napi_value callback, void *context, void *data) {
  (void)context;
  forwarded_frame *frame = data;
  napi_value global, arguments[2];
  if (env != NULL && callback != NULL && napi_get_global(env, &global) == napi_ok &&
      napi_create_string_utf8(env, frame->interface_name, NAPI_AUTO_LENGTH, &arguments[0]) == napi_ok &&
      napi_create_buffer_copy(env, frame->length, frame->frame, NULL, &arguments[1]) == napi_ok)
    napi_call_function(env, global, callback, 2, arguments, NULL);
  free(frame);
}

static napi_value get_socket(napi_env env, napi_callback_info info, const char *function, size_t *argc,
                             napi_value *argv, flb_socket **socket) {
  FLB_CALL(env, napi_get_cb_info(env, info, argc, argv, NULL, NULL));
  bool is_tagged = false;
  napi_valuetype type = napi_undefined;
  if (*argc >= 1) napi_typeof(env, argv[0], &type);
  if (type == napi_external) napi_check_object_type_tag(env, argv[0], &socket_tag, &is_tagged);
  if (!is_tagged) return flb_throw_type(env, function, "first argument must be a socket from openSocket");
  FLB_CALL(env, napi_get_value_external(env, argv[0], (void **)socket));
  return argv[0];
}

static napi_value create_forward(napi_env env, napi_value callback, flb_socket *socket) {
  napi_value name;
  FLB_CALL(env, napi_create_string_utf8(env, "ferrolb.packet.onFrame", NAPI_AUTO_LENGTH, &name));
  // The queue bound keeps a flood of conflicting frames from piling up behind a busy JS thread.
  FLB_CALL(env, napi_create_threadsafe_function(env, callback, NULL, name, 256, 1, socket, finalize_forward, NULL,
                                                call_forward, &socket->forward));
  socket->refs++;
  return callback;
}

static bool read_interface_name(napi_env env, napi_value value, char *name) {
  char text[64] = {0};
  size_t length = 0;
  // Read into a larger buffer: napi truncates silently, and Linux names may use all 15 bytes.
  if (napi_get_value_string_utf8(env, value, text, sizeof text, &length) != napi_ok || length == 0 ||
      length >= IF_NAMESIZE || strchr(text, '/') != NULL) {
    flb_throw_type(env, "openSocket", "interfaceName must be a non-empty string of at most 15 bytes");
    return false;
  }
  memcpy(name, text, length + 1);
  return true;
}

static napi_value finish_open(napi_env env, flb_socket *socket, napi_value callback) {
  napi_value handle;
  if (callback != NULL && create_forward(env, callback, socket) == NULL) {
    close_socket(socket);
    release_socket(socket);
    return NULL;
  }
  if (napi_create_external(env, socket, finalize_socket, NULL, &handle) != napi_ok ||
      napi_type_tag_object(env, handle, &socket_tag) != napi_ok) {
    close_socket(socket);
    release_socket(socket);
    return flb_throw_last(env);
  }
  return handle;
}

static napi_value open_socket(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  flb_instance *instance = NULL;
  FLB_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&instance));
  char name[IF_NAMESIZE] = {0};
  flb_protocol protocol;
  if (argc < 2 || !read_interface_name(env, argv[0], name)) return argc < 2 ? flb_throw_type(env, "openSocket", "needs interfaceName and protocol") : NULL;
  if (!flb_get_protocol(env, argv[1], "openSocket", &protocol)) return NULL;
  napi_valuetype callback_type = napi_undefined;
  if (argc >= 3) napi_typeof(env, argv[2], &callback_type);
  if (callback_type != napi_undefined && callback_type != napi_function)
    return flb_throw_type(env, "openSocket", "onFrame must be a function or undefined");
  flb_socket *socket = calloc(1, sizeof *socket);
  if (socket == NULL) return flb_throw_errno(env, name, "calloc", ENOMEM);
  const char *step = "open";
  int error = flb_socket_open(name, protocol, instance->lane_count, socket->fds, &socket->lane_count, &socket->ifindex, &step);
  if (error == 0) {
    memcpy(socket->interface_name, name, IF_NAMESIZE);
    socket->protocol = protocol;
    socket->instance = instance;
    socket->refs = 1;
    instance->refs++;
    error = flb_instance_add(instance, socket);
    step = "responder registration";
    if (error != 0) {
      release_socket(socket);
      return flb_throw_errno(env, name, step, error);
    }
    return finish_open(env, socket, callback_type == napi_function ? argv[2] : NULL);
  }
  free(socket);
  return flb_throw_errno(env, name, step, error);
}

static napi_value set_owned(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  flb_socket *socket = NULL;
  if (get_socket(env, info, "setOwned", &argc, argv, &socket) == NULL) return NULL;
  if (argc < 2) return flb_throw_type(env, "setOwned", "needs a table");
  flb_table *table = flb_parse_table(env, argv[1], "setOwned");
  if (table == NULL) return NULL;
  int error = flb_socket_set_table(socket, table);
  if (error != 0) return flb_throw_errno(env, socket->interface_name, "setOwned", error);
  return NULL;
}

static napi_value send_frame(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  flb_socket *socket = NULL;
  uint8_t *frame = NULL;
  size_t length = 0;
  if (get_socket(env, info, "send", &argc, argv, &socket) == NULL) return NULL;
  if (argc < 2 || !flb_get_bytes(env, argv[1], &frame, &length) || length < 14)
    return flb_throw_type(env, "send", "frame must be a Uint8Array holding at least an Ethernet header");
  if (socket->is_closed) return flb_throw_errno(env, socket->interface_name, "send", EBADF);
  int error = flb_socket_send(socket->fds[0], socket->ifindex, frame, length);
  return error == 0 ? NULL : flb_throw_errno(env, socket->interface_name, "send", error);
}

static napi_value membership(napi_env env, napi_callback_info info, int is_add) {
  size_t argc = 2;
  napi_value argv[2];
  flb_socket *socket = NULL;
  uint8_t *mac = NULL;
  size_t length = 0;
  const char *function = is_add ? "addMembership" : "dropMembership";
  if (get_socket(env, info, function, &argc, argv, &socket) == NULL) return NULL;
  if (argc < 2 || !flb_get_bytes(env, argv[1], &mac, &length) || length != FLB_MAC_BYTES)
    return flb_throw_type(env, function, "mac must be a 6-byte Uint8Array");
  if (socket->is_closed) return flb_throw_errno(env, socket->interface_name, function, EBADF);
  int error = flb_socket_membership(socket->fds[0], socket->ifindex, mac, is_add);
  return error == 0 ? NULL : flb_throw_errno(env, socket->interface_name, function, error);
}

static napi_value add_membership(napi_env env, napi_callback_info info) { return membership(env, info, 1); }
static napi_value drop_membership(napi_env env, napi_callback_info info) { return membership(env, info, 0); }

static napi_value counters(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  flb_socket *socket = NULL;
  if (get_socket(env, info, "counters", &argc, argv, &socket) == NULL) return NULL;
  return flb_counters_value(env, socket);
}

static napi_value close_handle(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  flb_socket *socket = NULL;
  if (get_socket(env, info, "close", &argc, argv, &socket) == NULL) return NULL;
  close_socket(socket);
  return NULL;
}

static napi_value set_priority(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  flb_instance *instance = NULL;
  double priority = -1;
  FLB_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&instance));
  if (argc < 1 || napi_get_value_double(env, argv[0], &priority) != napi_ok || priority < 0 || priority > 99 ||
      priority != (double)(int)priority)
    return flb_throw_type(env, "setResponderPriority", "priority must be an integer from 0 to 99");
  int error = flb_instance_set_priority(instance, (int)priority);
  return error == 0 ? NULL : flb_throw_errno(env, "(responder lanes)", "sched_setattr(SCHED_FIFO)", error);
}

static napi_value set_reply_limit(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  flb_instance *instance = NULL;
  double per_second = -1, burst = -1;
  FLB_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&instance));
  if (argc < 2 || napi_get_value_double(env, argv[0], &per_second) != napi_ok ||
      napi_get_value_double(env, argv[1], &burst) != napi_ok || !(per_second >= 0) || !(burst >= 1) ||
      per_second > 1e9 || burst > 1e9)
    return flb_throw_type(env, "setReplyRateLimit", "perSecond must be 0 to 1e9 (0: no limit) and burst 1 to 1e9");
  flb_instance_set_reply_limit(instance, per_second, burst);
  return NULL;
}

static napi_value drop_reason_names(napi_env env) {
  napi_value list, name;
  FLB_CALL(env, napi_create_array_with_length(env, FLB_REASON_COUNT - 1, &list));
  for (int reason = FLB_ANSWER + 1; reason < FLB_REASON_COUNT; reason++) {
    FLB_CALL(env, napi_create_string_utf8(env, flb_reason_name((flb_reason)reason), NAPI_AUTO_LENGTH, &name));
    FLB_CALL(env, napi_set_element(env, list, (uint32_t)(reason - 1), name));
  }
  return list;
}

static void teardown(void *data) { flb_instance_teardown(data); }

static void finalize_instance(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  flb_instance_release(data);
}

NAPI_MODULE_INIT() {
  flb_instance *instance = flb_instance_create();
  if (instance == NULL) return flb_throw_errno(env, "(none)", "epoll_create1", errno);
  FLB_CALL(env, napi_set_instance_data(env, instance, finalize_instance, NULL));
  FLB_CALL(env, napi_add_env_cleanup_hook(env, teardown, instance));
  napi_property_descriptor properties[] = {
      {"openSocket", NULL, open_socket, NULL, NULL, NULL, napi_enumerable, instance},
      {"setOwned", NULL, set_owned, NULL, NULL, NULL, napi_enumerable, instance},
      {"send", NULL, send_frame, NULL, NULL, NULL, napi_enumerable, instance},
      {"addMembership", NULL, add_membership, NULL, NULL, NULL, napi_enumerable, instance},
      {"dropMembership", NULL, drop_membership, NULL, NULL, NULL, napi_enumerable, instance},
      {"counters", NULL, counters, NULL, NULL, NULL, napi_enumerable, instance},
      {"close", NULL, close_handle, NULL, NULL, NULL, napi_enumerable, instance},
      {"setResponderPriority", NULL, set_priority, NULL, NULL, NULL, napi_enumerable, instance},
      {"setReplyRateLimit", NULL, set_reply_limit, NULL, NULL, NULL, napi_enumerable, instance},
      {"classifyFrame", NULL, flb_classify_frame, NULL, NULL, NULL, napi_enumerable, instance},
      {"dropReasons", NULL, NULL, NULL, NULL, drop_reason_names(env), napi_enumerable, instance},
  };
  FLB_CALL(env, napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties));
  if (flb_socket_filter_register(env, exports) == NULL) return NULL;
  if (flb_gossip_probe_register(env, exports) == NULL) return NULL;
  return flb_netlink_register(env, exports);
}
