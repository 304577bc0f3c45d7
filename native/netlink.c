// rtnetlink transactions and the change subscription (see netlink.h).
#define _GNU_SOURCE
#include "netlink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

// A dump's messages are at most a page or two each; the kernel fills up to 32 KiB per read.
#define RECEIVE_BYTES 65536
// A transaction never blocks the JS thread for long: the kernel answers in microseconds.
#define RECEIVE_TIMEOUT_SECONDS 5

void *flb_nl_begin(flb_nl_request *request, uint16_t type, uint16_t flags, size_t family_header_size) {
  memset(request, 0, sizeof *request);
  request->header.nlmsg_len = NLMSG_LENGTH(family_header_size);
  request->header.nlmsg_type = type;
  request->header.nlmsg_flags = NLM_F_REQUEST | flags;
  return NLMSG_DATA(&request->header);
}

int flb_nl_put(flb_nl_request *request, uint16_t type, const void *data, size_t length) {
  size_t offset = NLMSG_ALIGN(request->header.nlmsg_len);
  if (offset + RTA_SPACE(length) > sizeof request->bytes) return -EMSGSIZE;
  struct rtattr *attribute = (struct rtattr *)(request->bytes + offset);
  attribute->rta_type = type;
  attribute->rta_len = (unsigned short)RTA_LENGTH(length);
  memcpy(RTA_DATA(attribute), data, length);
  request->header.nlmsg_len = (uint32_t)(offset + RTA_SPACE(length));
  return 0;
}

static void index_attributes(const struct rtattr *attribute, int remaining, const struct rtattr **table,
                             int count) {
  memset(table, 0, sizeof *table * (size_t)count);
  for (; RTA_OK(attribute, remaining); attribute = RTA_NEXT(attribute, remaining)) {
    int type = attribute->rta_type & NLA_TYPE_MASK;
    if (type < count) table[type] = attribute;
  }
}

void flb_nl_index(const struct nlmsghdr *message, size_t header_size, const struct rtattr **table, int count) {
  int remaining = (int)message->nlmsg_len - (int)NLMSG_LENGTH(header_size);
  const struct rtattr *first = (const struct rtattr *)((const char *)NLMSG_DATA(message) + NLMSG_ALIGN(header_size));
  index_attributes(first, remaining < 0 ? 0 : remaining, table, count);
}

void flb_nl_index_nested(const struct rtattr *nested, const struct rtattr **table, int count) {
  index_attributes(RTA_DATA(nested), (int)RTA_PAYLOAD(nested), table, count);
}

static int open_socket(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -errno;
  struct timeval timeout = {.tv_sec = RECEIVE_TIMEOUT_SECONDS};
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0 ||
      bind(fd, (struct sockaddr *)&local, sizeof local) < 0) {
    int error = errno;
    close(fd);
    return -error;
  }
  return fd;
}

// One received datagram: < 0 = -errno, 1 = the transaction ended, 0 = read on.
static int handle_datagram(const char *buffer, ssize_t length, uint32_t sequence, flb_nl_handler handler,
                           void *context) {
  int remaining = (int)length;
  for (const struct nlmsghdr *message = (const struct nlmsghdr *)buffer; NLMSG_OK(message, remaining);
       message = NLMSG_NEXT(message, remaining)) {
    if (message->nlmsg_seq != sequence) continue;
    if (message->nlmsg_type == NLMSG_DONE) return 1;
    if (message->nlmsg_type == NLMSG_ERROR) {
      if (message->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) return -EBADMSG;
      const struct nlmsgerr *error = NLMSG_DATA(message);
      return error->error == 0 ? 1 : error->error;
    }
    int result = handler != NULL ? handler(message, context) : 0;
    if (result < 0) return result;
    if (!(message->nlmsg_flags & NLM_F_MULTI)) return 1;
  }
  return 0;
}

int flb_nl_transact(flb_nl_request *request, flb_nl_handler handler, void *context) {
  // Each transaction has its own socket, so one sequence number is enough to match replies.
  const uint32_t sequence = request->header.nlmsg_seq = 1;
  char *receive_buffer = malloc(RECEIVE_BYTES);
  if (receive_buffer == NULL) return -ENOMEM;
  int fd = open_socket();
  if (fd < 0) {
    free(receive_buffer);
    return fd;
  }
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  int result = 0;
  if (sendto(fd, request->bytes, request->header.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
    result = -errno;
  while (result == 0) {
    struct iovec vector = {.iov_base = receive_buffer, .iov_len = RECEIVE_BYTES};
    struct msghdr header = {.msg_iov = &vector, .msg_iovlen = 1};
    ssize_t length = recvmsg(fd, &header, 0);
    if (length < 0 && errno == EINTR) continue;
    if (length < 0) result = errno == EAGAIN ? -ETIMEDOUT : -errno;
    else if (header.msg_flags & MSG_TRUNC) result = -EMSGSIZE;
    else result = handle_datagram(receive_buffer, length, sequence, handler, context);
  }
  close(fd);
  free(receive_buffer);
  return result < 0 ? result : 0;
}

int flb_nl_subscribe(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (fd < 0) return -errno;
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  int groups[] = {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR};
  int failed = bind(fd, (struct sockaddr *)&local, sizeof local) < 0;
  for (size_t i = 0; !failed && i < sizeof groups / sizeof groups[0]; i++)
    failed = setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i], sizeof groups[i]) < 0;
  if (failed) {
    int error = errno;
    close(fd);
    return -error;
  }
  return fd;
}

int flb_nl_drain(int fd) {
  // The contents do not matter (the watcher re-reads the whole state): a truncated read is fine.
  char discard[4096];
  int seen = 0;
  for (;;) {
    ssize_t length = recv(fd, discard, sizeof discard, MSG_DONTWAIT);
    if (length > 0 || (length < 0 && errno == ENOBUFS)) seen = 1;  // ENOBUFS: missed some, re-read all
    else if (length < 0 && errno == EINTR) continue;
    else return seen;
  }
}
