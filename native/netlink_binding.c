// Node-API side of netlink.c: link and address dumps as plain objects, and ferrolb's local routes
// (added with NLM_F_CREATE | NLM_F_EXCL so an existing route is never replaced, deleted only when
// they carry ferrolb's protocol number).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <string.h>

#include "binding.h"
#include "netlink.h"
#include "netlink_binding.h"

typedef struct {
  napi_env env;
  napi_value list;
  uint32_t length;
} collector;

static int push(collector *into, napi_value value) {
  if (value == NULL || napi_set_element(into->env, into->list, into->length++, value) != napi_ok) return -ENOMEM;
  return 0;
}

static void set_string(napi_env env, napi_value object, const char *name, const char *text) {
  napi_value value;
  if (napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value) == napi_ok)
    napi_set_named_property(env, object, name, value);
}

static void set_bytes(napi_env env, napi_value object, const char *name, const struct rtattr *attribute) {
  napi_value value;
  void *data = NULL;
  size_t length = RTA_PAYLOAD(attribute);
  if (napi_create_buffer_copy(env, length, RTA_DATA(attribute), &data, &value) == napi_ok)
    napi_set_named_property(env, object, name, value);
}

// A u8/u32 attribute is used only when its payload has the size the type needs.
static void set_uint(napi_env env, napi_value object, const char *name, const struct rtattr *attribute) {
  if (attribute == NULL) return;
  size_t length = RTA_PAYLOAD(attribute);
  if (length == 1) flb_set_number(env, object, name, *(const uint8_t *)RTA_DATA(attribute));
  else if (length == 4) flb_set_number(env, object, name, *(const uint32_t *)RTA_DATA(attribute));
}

static void set_name(napi_env env, napi_value object, const char *name, const struct rtattr *attribute) {
  if (attribute == NULL || RTA_PAYLOAD(attribute) == 0) return;
  char text[64];
  size_t length = RTA_PAYLOAD(attribute) < sizeof text ? RTA_PAYLOAD(attribute) : sizeof text - 1;
  memcpy(text, RTA_DATA(attribute), length);
  text[length] = '\0';
  set_string(env, object, name, text);
}

static int on_link(const struct nlmsghdr *message, void *context) {
  collector *into = context;
  if (message->nlmsg_type != RTM_NEWLINK || message->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))) return 0;
  const struct ifinfomsg *info = NLMSG_DATA(message);
  const struct rtattr *table[IFLA_MAX + 1], *link_info[IFLA_INFO_MAX + 1];
  flb_nl_index(message, sizeof *info, table, IFLA_MAX + 1);
  if (table[IFLA_IFNAME] == NULL) return 0;
  napi_value link;
  if (napi_create_object(into->env, &link) != napi_ok) return -ENOMEM;
  flb_set_number(into->env, link, "index", info->ifi_index);
  flb_set_number(into->env, link, "flags", info->ifi_flags);
  flb_set_number(into->env, link, "type", info->ifi_type);
  set_name(into->env, link, "name", table[IFLA_IFNAME]);
  if (table[IFLA_ADDRESS] != NULL) set_bytes(into->env, link, "mac", table[IFLA_ADDRESS]);
  set_uint(into->env, link, "operstate", table[IFLA_OPERSTATE]);
  set_uint(into->env, link, "carrier", table[IFLA_CARRIER]);
  set_uint(into->env, link, "master", table[IFLA_MASTER]);
  if (table[IFLA_LINKINFO] != NULL) {
    flb_nl_index_nested(table[IFLA_LINKINFO], link_info, IFLA_INFO_MAX + 1);
    set_name(into->env, link, "kind", link_info[IFLA_INFO_KIND]);
  }
  return push(into, link);
}

static int on_address(const struct nlmsghdr *message, void *context) {
  collector *into = context;
  if (message->nlmsg_type != RTM_NEWADDR || message->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifaddrmsg))) return 0;
  const struct ifaddrmsg *info = NLMSG_DATA(message);
  const struct rtattr *table[IFA_MAX + 1];
  flb_nl_index(message, sizeof *info, table, IFA_MAX + 1);
  // IFA_LOCAL is the host's own address (IFA_ADDRESS is the peer on point-to-point links).
  const struct rtattr *address = table[IFA_LOCAL] != NULL ? table[IFA_LOCAL] : table[IFA_ADDRESS];
  size_t size = info->ifa_family == AF_INET ? 4 : info->ifa_family == AF_INET6 ? 16 : 0;
  if (address == NULL || size == 0 || RTA_PAYLOAD(address) != size) return 0;
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(info->ifa_family, RTA_DATA(address), text, sizeof text) == NULL) return 0;
  napi_value entry;
  if (napi_create_object(into->env, &entry) != napi_ok) return -ENOMEM;
  flb_set_number(into->env, entry, "index", info->ifa_index);
  flb_set_number(into->env, entry, "family", info->ifa_family == AF_INET ? 4 : 6);
  set_string(into->env, entry, "address", text);
  flb_set_number(into->env, entry, "prefixLength", info->ifa_prefixlen);
  flb_set_number(into->env, entry, "scope", info->ifa_scope);
  flb_set_number(into->env, entry, "flags", info->ifa_flags);
  set_uint(into->env, entry, "flags", table[IFA_FLAGS]);
  return push(into, entry);
}

// Dumps one kind of object into a new array; NULL with an error thrown on failure.
static napi_value dump(napi_env env, uint16_t type, size_t header_size, flb_nl_handler handler) {
  collector into = {.env = env, .length = 0};
  FLB_CALL(env, napi_create_array(env, &into.list));
  flb_nl_request request;
  flb_nl_begin(&request, type, NLM_F_DUMP, header_size);
  int result = flb_nl_transact(&request, handler, &into);
  if (result < 0) return flb_throw_errno(env, "(all)", type == RTM_GETLINK ? "RTM_GETLINK dump" : "RTM_GETADDR dump", -result);
  return into.list;
}

// readLinks(): {links, addresses} of the current network namespace.
static napi_value read_links(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, links, addresses;
  if ((links = dump(env, RTM_GETLINK, sizeof(struct ifinfomsg), on_link)) == NULL) return NULL;
  if ((addresses = dump(env, RTM_GETADDR, sizeof(struct ifaddrmsg), on_address)) == NULL) return NULL;
  FLB_CALL(env, napi_create_object(env, &result));
  FLB_CALL(env, napi_set_named_property(env, result, "links", links));
  FLB_CALL(env, napi_set_named_property(env, result, "addresses", addresses));
  return result;
}

napi_value flb_netlink_routes(napi_env env, napi_callback_info info);
napi_value flb_netlink_add_route(napi_env env, napi_callback_info info);
napi_value flb_netlink_delete_route(napi_env env, napi_callback_info info);

napi_value flb_netlink_register(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"readLinks", NULL, read_links, NULL, NULL, NULL, napi_enumerable, NULL},
      {"watchLinks", NULL, flb_netlink_watch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unwatchLinks", NULL, flb_netlink_unwatch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readRoutes", NULL, flb_netlink_routes, NULL, NULL, NULL, napi_enumerable, NULL},
      {"addRoute", NULL, flb_netlink_add_route, NULL, NULL, NULL, napi_enumerable, NULL},
      {"deleteRoute", NULL, flb_netlink_delete_route, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  FLB_CALL(env, napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties));
  return exports;
}
