// The socket-filter part of the addon's JS surface (setSourceFilter, socketDrops, sourceFilterLimit).
#ifndef FERROLB_SOCKET_FILTER_BINDING_H
#define FERROLB_SOCKET_FILTER_BINDING_H

#include <node_api.h>

/** Adds the socket-filter functions to `exports`; NULL with an exception pending on failure. */
napi_value flb_socket_filter_register(napi_env env, napi_value exports);

#endif
