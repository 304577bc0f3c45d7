// The compact-probe functions of the addon (gossip_probe_binding.c).
#ifndef FERROLB_GOSSIP_PROBE_BINDING_H
#define FERROLB_GOSSIP_PROBE_BINDING_H

#include <node_api.h>

/** Adds probeOpen and its companions to `exports`; NULL with an exception pending on failure. */
napi_value flb_gossip_probe_register(napi_env env, napi_value exports);

#endif
