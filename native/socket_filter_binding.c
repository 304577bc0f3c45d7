// The socket-filter part of the addon's JS surface (src/l2/native.ts: setSourceFilter,
// socketDrops, sourceFilterLimit), used on the gossip UDP socket (src/membership/udp.ts).
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "socket_filter.h"
#include "socket_filter_binding.h"

static const char *const set_name = "setSourceFilter";

static bool get_fd(napi_env env, napi_value value, const char *function, int *fd) {
  napi_valuetype type = napi_undefined;
  napi_typeof(env, value, &type);
  if (type == napi_number && napi_get_value_int32(env, value, fd) == napi_ok && *fd >= 0) return true;
  flb_throw_type(env, function, "first argument must be an open file descriptor (a number >= 0)");
  return false;
}

// Reads addresses (Uint8Array of 4 or 16 bytes each, at most FLB_FILTER_MAX_SOURCES) into sources.
static bool get_sources(napi_env env, napi_value list, flb_source *sources, uint32_t *count) {
  bool is_array = false;
  napi_is_array(env, list, &is_array);
  if (!is_array || napi_get_array_length(env, list, count) != napi_ok)
    return flb_throw_type(env, set_name, "addresses must be an array of Uint8Array, or null"), false;
  if (*count > FLB_FILTER_MAX_SOURCES)
    return flb_throw_type(env, set_name, "addresses: more than sourceFilterLimit entries"), false;
  for (uint32_t i = 0; i < *count; i++) {
    napi_value element;
    uint8_t *data = NULL;
    size_t length = 0;
    if (napi_get_element(env, list, i, &element) != napi_ok || !flb_get_bytes(env, element, &data, &length) ||
        (length != 4 && length != 16))
      return flb_throw_type(env, set_name, "addresses: each must be a 4 or 16 byte Uint8Array"), false;
    sources[i].length = (uint8_t)length;
    memcpy(sources[i].bytes, data, length);
  }
  return true;
}

// setSourceFilter(fd, addresses | null): only datagrams from these sources reach the socket;
// null or [] detaches (accept all).
static napi_value set_source_filter(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  int fd = -1;
  FLB_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return flb_throw_type(env, set_name, "expects (fd, addresses)");
  if (!get_fd(env, argv[0], set_name, &fd)) return NULL;
  napi_valuetype type = napi_undefined;
  napi_typeof(env, argv[1], &type);
  uint32_t count = 0;
  flb_source *sources = calloc(FLB_FILTER_MAX_SOURCES, sizeof *sources);
  if (sources == NULL) return flb_throw_errno(env, "(gossip)", "setSourceFilter", ENOMEM);
  // Bad input throws before any change: the filter in place stays as it was.
  bool valid = type == napi_null || get_sources(env, argv[1], sources, &count);
  const char *step = count == 0 ? "SO_DETACH_FILTER" : "SO_ATTACH_FILTER";
  int error = !valid ? 0 : count == 0 ? flb_filter_detach(fd) : flb_filter_attach(fd, sources, count);
  free(sources);
  if (!valid) return NULL;
  if (error != 0) return flb_throw_errno(env, "(gossip)", step, error);
  FLB_CALL(env, napi_get_undefined(env, &result));
  return result;
}

// socketDrops(fd): datagrams the kernel dropped on this socket (filter verdicts and a full buffer).
static napi_value socket_drops(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  int fd = -1;
  uint32_t drops = 0;
  FLB_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return flb_throw_type(env, "socketDrops", "expects (fd)");
  if (!get_fd(env, argv[0], "socketDrops", &fd)) return NULL;
  int error = flb_filter_drops(fd, &drops);
  if (error != 0) return flb_throw_errno(env, "(gossip)", "SO_MEMINFO", error);
  FLB_CALL(env, napi_create_uint32(env, drops, &result));
  return result;
}

napi_value flb_socket_filter_register(napi_env env, napi_value exports) {
  napi_value limit;
  FLB_CALL(env, napi_create_uint32(env, FLB_FILTER_MAX_SOURCES, &limit));
  napi_property_descriptor properties[] = {
      {"setSourceFilter", NULL, set_source_filter, NULL, NULL, NULL, napi_enumerable, NULL},
      {"socketDrops", NULL, socket_drops, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sourceFilterLimit", NULL, NULL, NULL, NULL, limit, napi_enumerable, NULL},
  };
  FLB_CALL(env, napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties));
  return exports;
}
