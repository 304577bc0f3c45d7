// Node-API argument and error helpers (see binding.h).
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"

napi_value flb_throw_last(napi_env env) {
  bool is_pending = false;
  napi_is_exception_pending(env, &is_pending);
  if (is_pending) return NULL;
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  const char *message = info != NULL && info->error_message != NULL ? info->error_message : "Node-API call failed";
  napi_throw_error(env, "ERR_FERROLB_NAPI", message);
  return NULL;
}

napi_value flb_throw_type(napi_env env, const char *function, const char *message) {
  char text[256];
  snprintf(text, sizeof text, "%s: %s", function, message);
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", text);
  return NULL;
}

napi_value flb_set_number(napi_env env, napi_value object, const char *name, double number) {
  napi_value value;
  if (napi_create_double(env, number, &value) != napi_ok) return NULL;
  if (napi_set_named_property(env, object, name, value) != napi_ok) return NULL;
  return object;
}

static void set_string(napi_env env, napi_value object, const char *name, const char *text) {
  napi_value value;
  if (napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value) == napi_ok)
    napi_set_named_property(env, object, name, value);
}

// The errno's symbolic name; glibc has strerrorname_np, other libcs get the common ones.
static const char *errno_name(int error) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
  return strerrorname_np(error);
#else
  switch (error) {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENODEV: return "ENODEV";
    case ENXIO: return "ENXIO";
    case ENETDOWN: return "ENETDOWN";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case ENOBUFS: return "ENOBUFS";
    case EMSGSIZE: return "EMSGSIZE";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case EMFILE: return "EMFILE";
    default: return NULL;
  }
#endif
}

napi_value flb_throw_errno(napi_env env, const char *interface_name, const char *step, int error) {
  const char *name = errno_name(error);
  char code[32], text[320];
  snprintf(code, sizeof code, "%s", name != NULL ? name : "EUNKNOWN");
  snprintf(text, sizeof text, "interface %s: %s failed: %s (%s)", interface_name, step, strerror(error), code);
  napi_value code_value, message_value, error_value;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_value) != napi_ok ||
      napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message_value) != napi_ok ||
      napi_create_error(env, code_value, message_value, &error_value) != napi_ok)
    return flb_throw_last(env);
  flb_set_number(env, error_value, "errno", error);
  set_string(env, error_value, "syscall", step);
  set_string(env, error_value, "interfaceName", interface_name);
  napi_throw(env, error_value);
  return NULL;
}

bool flb_get_bytes(napi_env env, napi_value value, uint8_t **data, size_t *length) {
  bool is_typed_array = false;
  if (napi_is_typedarray(env, value, &is_typed_array) != napi_ok || !is_typed_array) return false;
  napi_typedarray_type type;
  void *raw = NULL;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok) return false;
  if (type != napi_uint8_array) return false;
  *data = raw;
  return true;
}

bool flb_get_protocol(napi_env env, napi_value value, const char *function, flb_protocol *protocol) {
  char text[8] = {0};
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, text, sizeof text, &length) == napi_ok) {
    if (strcmp(text, "arp") == 0) *protocol = FLB_PROTOCOL_ARP;
    if (strcmp(text, "ipv6") == 0) *protocol = FLB_PROTOCOL_IPV6;
    if (strcmp(text, "arp") == 0 || strcmp(text, "ipv6") == 0) return true;
  }
  flb_throw_type(env, function, "protocol must be 'arp' or 'ipv6'");
  return false;
}

// Copies a JS array of `address_bytes`-long Uint8Arrays into a malloc'ed buffer.
static uint8_t *read_addresses(napi_env env, napi_value list, size_t address_bytes, size_t *count, const char **problem) {
  bool is_array = false;
  uint32_t length = 0;
  if (napi_is_array(env, list, &is_array) != napi_ok || !is_array || napi_get_array_length(env, list, &length) != napi_ok) {
    *problem = address_bytes == 4 ? "table.ipv4 must be an array of 4-byte Uint8Arrays"
                                  : "table.ipv6 must be an array of 16-byte Uint8Arrays";
    return NULL;
  }
  uint8_t *addresses = malloc(((size_t)length + 1) * address_bytes);
  for (uint32_t index = 0; addresses != NULL && index < length; index++) {
    napi_value element;
    uint8_t *data = NULL;
    size_t size = 0;
    if (napi_get_element(env, list, index, &element) != napi_ok || !flb_get_bytes(env, element, &data, &size) ||
        size != address_bytes) {
      *problem = address_bytes == 4 ? "every table.ipv4 entry must be a 4-byte Uint8Array"
                                    : "every table.ipv6 entry must be a 16-byte Uint8Array";
      free(addresses);
      return NULL;
    }
    memcpy(addresses + (size_t)index * address_bytes, data, address_bytes);
  }
  if (addresses == NULL) *problem = "out of memory";
  *count = length;
  return addresses;
}

flb_table *flb_parse_table(napi_env env, napi_value value, const char *function) {
  napi_value mac_value, ipv4_value, ipv6_value;
  uint8_t *mac = NULL;
  size_t mac_bytes = 0;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_object ||
      napi_get_named_property(env, value, "mac", &mac_value) != napi_ok ||
      !flb_get_bytes(env, mac_value, &mac, &mac_bytes) || mac_bytes != FLB_MAC_BYTES) {
    flb_throw_type(env, function, "table.mac must be a 6-byte Uint8Array");
    return NULL;
  }
  const char *problem = NULL;
  size_t ipv4_count = 0, ipv6_count = 0;
  uint8_t *ipv4 = NULL, *ipv6 = NULL;
  if (napi_get_named_property(env, value, "ipv4", &ipv4_value) == napi_ok)
    ipv4 = read_addresses(env, ipv4_value, FLB_IPV4_BYTES, &ipv4_count, &problem);
  if (ipv4 != NULL && napi_get_named_property(env, value, "ipv6", &ipv6_value) == napi_ok)
    ipv6 = read_addresses(env, ipv6_value, FLB_IPV6_BYTES, &ipv6_count, &problem);
  flb_table *table = ipv4 != NULL && ipv6 != NULL ? flb_table_build(mac, ipv4, ipv4_count, ipv6, ipv6_count) : NULL;
  free(ipv4);
  free(ipv6);
  if (table == NULL) flb_throw_type(env, function, problem != NULL ? problem : "out of memory");
  return table;
}
