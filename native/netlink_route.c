// ferrolb's local routes over rtnetlink (DESIGN "VIPs are never interface addresses"): `local VIP
// dev lo table local proto <ours>`. Adding uses NLM_F_CREATE | NLM_F_EXCL, never NLM_F_REPLACE, so
// a route the kernel or another program owns is refused (EEXIST), not overwritten (issue 12 #4);
// deleting names our protocol, so the kernel removes only a route that carries it.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "binding.h"
#include "netlink.h"

typedef struct {
  napi_env env;
  napi_value list;
  uint32_t length;
} route_list;

static uint32_t route_table(const struct rtmsg *route, const struct rtattr **table) {
  if (table[RTA_TABLE] != NULL && RTA_PAYLOAD(table[RTA_TABLE]) == 4) return *(const uint32_t *)RTA_DATA(table[RTA_TABLE]);
  return route->rtm_table;
}

static int on_route(const struct nlmsghdr *message, void *context) {
  route_list *into = context;
  if (message->nlmsg_type != RTM_NEWROUTE || message->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg))) return 0;
  const struct rtmsg *route = NLMSG_DATA(message);
  const struct rtattr *table[RTA_MAX + 1];
  flb_nl_index(message, sizeof *route, table, RTA_MAX + 1);
  size_t size = route->rtm_family == AF_INET ? 4 : route->rtm_family == AF_INET6 ? 16 : 0;
  const struct rtattr *destination = table[RTA_DST];
  if (route_table(route, table) != RT_TABLE_LOCAL || size == 0 || destination == NULL ||
      RTA_PAYLOAD(destination) != size)
    return 0;
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(route->rtm_family, RTA_DATA(destination), text, sizeof text) == NULL) return 0;
  napi_env env = into->env;
  napi_value entry, address;
  if (napi_create_object(env, &entry) != napi_ok || napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &address) != napi_ok)
    return -ENOMEM;
  napi_set_named_property(env, entry, "destination", address);
  flb_set_number(env, entry, "family", route->rtm_family == AF_INET ? 4 : 6);
  flb_set_number(env, entry, "prefixLength", route->rtm_dst_len);
  flb_set_number(env, entry, "protocol", route->rtm_protocol);
  flb_set_number(env, entry, "type", route->rtm_type);
  if (table[RTA_OIF] != NULL && RTA_PAYLOAD(table[RTA_OIF]) == 4)
    flb_set_number(env, entry, "interfaceIndex", *(const uint32_t *)RTA_DATA(table[RTA_OIF]));
  return napi_set_element(env, into->list, into->length++, entry) == napi_ok ? 0 : -ENOMEM;
}

// readRoutes(): every route of table local (both families), whoever owns it.
napi_value flb_netlink_routes(napi_env env, napi_callback_info info) {
  (void)info;
  route_list into = {.env = env, .length = 0};
  FLB_CALL(env, napi_create_array(env, &into.list));
  flb_nl_request request;
  flb_nl_begin(&request, RTM_GETROUTE, NLM_F_DUMP, sizeof(struct rtmsg));
  int result = flb_nl_transact(&request, on_route, &into);
  if (result < 0) return flb_throw_errno(env, "(all)", "RTM_GETROUTE dump", -result);
  return into.list;
}

typedef struct {
  int family;
  unsigned char bytes[16];
  char text[INET6_ADDRSTRLEN];
  uint32_t protocol;
} route_arguments;

// (ip: string, protocol: 1..255); false with a TypeError thrown otherwise.
static bool read_arguments(napi_env env, napi_callback_info info, const char *function, route_arguments *out) {
  size_t argc = 2, length = 0;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_string_utf8(env, argv[0], out->text, sizeof out->text, &length) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &out->protocol) != napi_ok) {
    flb_throw_type(env, function, "expected (ip: string, protocol: number)");
    return false;
  }
  out->family = strchr(out->text, ':') != NULL ? AF_INET6 : AF_INET;
  if (inet_pton(out->family, out->text, out->bytes) != 1 || out->protocol == 0 || out->protocol > 255) {
    flb_throw_type(env, function, "ip must be an IPv4 or IPv6 address and protocol 1..255");
    return false;
  }
  return true;
}

static int route_request(const route_arguments *route, uint16_t type, uint16_t flags) {
  flb_nl_request request;
  struct rtmsg *message = flb_nl_begin(&request, type, NLM_F_ACK | flags, sizeof(struct rtmsg));
  message->rtm_family = (unsigned char)route->family;
  message->rtm_dst_len = route->family == AF_INET ? 32 : 128;
  message->rtm_table = RT_TABLE_LOCAL;
  message->rtm_protocol = (unsigned char)route->protocol;
  // Adding: host scope, as the kernel's own local routes. Deleting: RT_SCOPE_NOWHERE matches any scope.
  message->rtm_scope = type == RTM_NEWROUTE ? RT_SCOPE_HOST : RT_SCOPE_NOWHERE;
  message->rtm_type = RTN_LOCAL;
  uint32_t table = RT_TABLE_LOCAL, loopback = if_nametoindex("lo");
  if (loopback == 0) return -errno;
  int result = flb_nl_put(&request, RTA_DST, route->bytes, route->family == AF_INET ? 4 : 16);
  if (result == 0) result = flb_nl_put(&request, RTA_OIF, &loopback, sizeof loopback);
  if (result == 0) result = flb_nl_put(&request, RTA_TABLE, &table, sizeof table);
  return result == 0 ? flb_nl_transact(&request, NULL, NULL) : result;
}

static napi_value route_error(napi_env env, const char *verb, const route_arguments *route, int error) {
  char step[96];
  snprintf(step, sizeof step, "%s local %s table local proto %u", verb, route->text, route->protocol);
  return flb_throw_errno(env, "lo", step, error);
}

// addRoute(ip, protocol): EEXIST (thrown) when a route for ip is already in table local.
napi_value flb_netlink_add_route(napi_env env, napi_callback_info info) {
  route_arguments route;
  if (!read_arguments(env, info, "addRoute", &route)) return NULL;
  int result = route_request(&route, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  return result == 0 ? NULL : route_error(env, "RTM_NEWROUTE", &route, -result);
}

// deleteRoute(ip, protocol): removes only a route with that protocol; false when there is none.
napi_value flb_netlink_delete_route(napi_env env, napi_callback_info info) {
  route_arguments route;
  if (!read_arguments(env, info, "deleteRoute", &route)) return NULL;
  int result = route_request(&route, RTM_DELROUTE, 0);
  napi_value deleted;
  if (result == -ESRCH) return napi_get_boolean(env, false, &deleted) == napi_ok ? deleted : NULL;
  if (result < 0) return route_error(env, "RTM_DELROUTE", &route, -result);
  return napi_get_boolean(env, true, &deleted) == napi_ok ? deleted : NULL;
}
