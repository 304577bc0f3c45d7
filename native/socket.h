// AF_PACKET syscalls for one interface and one protocol; no Node-API here. Each function returns 0
// or an errno, and names the failing step through `step` so JS errors can say what failed.
#ifndef FERROLB_SOCKET_H
#define FERROLB_SOCKET_H

#include <stddef.h>
#include <stdint.h>

#include "classify.h"

/**
 * Opens, filters and binds up to `lanes` packet sockets joined to one per-CPU fanout group; on
 * success fds[0 .. *opened) are open (at least one) and *ifindex is set.
 */
int flb_socket_open(const char *interface_name, flb_protocol protocol, int lanes, int *fds, int *opened, int *ifindex,
                    const char **step);

/** Sends one whole Ethernet frame (destination and EtherType read from its header). */
int flb_socket_send(int fd, int ifindex, const uint8_t *frame, size_t length);

/** PACKET_ADD_MEMBERSHIP (is_add) or PACKET_DROP_MEMBERSHIP of a multicast MAC. */
int flb_socket_membership(int fd, int ifindex, const uint8_t *mac, int is_add);

#endif
