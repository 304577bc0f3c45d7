// Node-API helpers shared by the binding files: argument checks that throw TypeErrors naming the
// function and the field, errno errors naming the interface, and owned-table parsing.
#ifndef FERROLB_BINDING_H
#define FERROLB_BINDING_H

#include <node_api.h>
#include <stdbool.h>

#include "responder.h"

// Returns NULL from the calling napi_callback when a Node-API call fails (an exception is pending).
#define FLB_CALL(env, call)                                                                                     \
  do {                                                                                                          \
    if ((call) != napi_ok) return flb_throw_last(env);                                                          \
  } while (0)

/** Throws the pending Node-API failure as a JS Error if nothing is pending yet; returns NULL. */
napi_value flb_throw_last(napi_env env);
/** Throws a TypeError "function: message" with code ERR_INVALID_ARG_TYPE; returns NULL. */
napi_value flb_throw_type(napi_env env, const char *function, const char *message);
/** Throws an Error naming the interface, the failing step and the errno (code = "EPERM" etc.). */
napi_value flb_throw_errno(napi_env env, const char *interface_name, const char *step, int error);

/** Reads a Uint8Array's bytes; false when `value` is not one (no exception set). */
bool flb_get_bytes(napi_env env, napi_value value, uint8_t **data, size_t *length);
/** Reads 'arp' | 'ipv6'; false (TypeError thrown) otherwise. */
bool flb_get_protocol(napi_env env, napi_value value, const char *function, flb_protocol *protocol);
/** Parses {mac, ipv4: Uint8Array[], ipv6: Uint8Array[]}; NULL with a TypeError thrown on bad input. */
flb_table *flb_parse_table(napi_env env, napi_value value, const char *function);

napi_value flb_set_number(napi_env env, napi_value object, const char *name, double number);

/** The counters object of one socket (see src/l2/native.ts PacketCounters). */
napi_value flb_counters_value(napi_env env, flb_socket *socket);
/** classifyFrame(frame, table, protocol): the hot path's verdict without a socket. */
napi_value flb_classify_frame(napi_env env, napi_callback_info info);

#endif
