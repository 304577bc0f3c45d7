// The netlink part of the addon's JS surface (src/l2/native.ts: readLinks, watchLinks,
// unwatchLinks, readRoutes, addRoute, deleteRoute).
#ifndef FERROLB_NETLINK_BINDING_H
#define FERROLB_NETLINK_BINDING_H

#include <node_api.h>

/** Adds the netlink functions to `exports`; NULL with an exception pending on failure. */
napi_value flb_netlink_register(napi_env env, napi_value exports);
/** watchLinks(onChange) and unwatchLinks(handle), defined in netlink_watch.c. */
napi_value flb_netlink_watch(napi_env env, napi_callback_info info);
napi_value flb_netlink_unwatch(napi_env env, napi_callback_info info);

#endif
