// rtnetlink without iproute2 (issue 11: no child processes in the daemons): one request/reply
// transaction per call on a fresh NETLINK_ROUTE socket, and a subscription socket for the link
// and address groups. No Node-API here; netlink_binding.c turns the messages into JS values.
#ifndef FERROLB_NETLINK_H
#define FERROLB_NETLINK_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stddef.h>
#include <stdint.h>

/** Called for each reply message that is not DONE or an ack; a negative return aborts (-errno). */
typedef int (*flb_nl_handler)(const struct nlmsghdr *message, void *context);

/** A request being built: header, family header and attributes in one aligned buffer. */
typedef struct {
  union {
    struct nlmsghdr header;
    char bytes[512];
  };
} flb_nl_request;

/** Starts a request of `type` with `flags` (NLM_F_REQUEST is added) and a zeroed family header. */
void *flb_nl_begin(flb_nl_request *request, uint16_t type, uint16_t flags, size_t family_header_size);
/** Appends one attribute; -EMSGSIZE when the request buffer is full. */
int flb_nl_put(flb_nl_request *request, uint16_t type, const void *data, size_t length);

/**
 * Sends `request` and reads until the dump ends or the ack arrives, calling `handler` for each
 * data message. Returns 0, or -errno (the kernel's error for a refused request).
 */
int flb_nl_transact(flb_nl_request *request, flb_nl_handler handler, void *context);

/**
 * Indexes the attributes that follow a family header of `header_size` bytes: table[type] points
 * at the last attribute of each type below `count` (others are ignored). Lengths come from the
 * kernel but are still checked against the message before use.
 */
void flb_nl_index(const struct nlmsghdr *message, size_t header_size, const struct rtattr **table, int count);
/** Copies a nested attribute's children into `table` the same way. */
void flb_nl_index_nested(const struct rtattr *nested, const struct rtattr **table, int count);

/**
 * Opens a non-blocking socket subscribed to RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and
 * RTNLGRP_IPV6_IFADDR; returns the fd or -errno.
 */
int flb_nl_subscribe(void);
/** Reads and discards every queued notification; returns whether anything (or an overrun) was seen. */
int flb_nl_drain(int fd);

#endif
