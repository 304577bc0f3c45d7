// netlink.c under AddressSanitizer and UBSan (test/unit/l2/netlink-sanitizer.test.ts): real link,
// address and route dumps of the current network namespace, then random attribute lists, each in
// a heap block of exactly its message length, through flb_nl_index and flb_nl_index_nested. Any
// read past a message, or undefined behaviour, aborts the harness.
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../netlink.h"

static long messages, attributes;

static int count_message(const struct nlmsghdr *message, void *context) {
  size_t header = *(const size_t *)context;
  const struct rtattr *table[64];
  if (message->nlmsg_len < NLMSG_LENGTH(header)) return 0;
  flb_nl_index(message, header, table, 64);
  messages++;
  for (int type = 0; type < 64; type++) attributes += table[type] != NULL;
  if (header == sizeof(struct ifinfomsg) && table[IFLA_LINKINFO] != NULL) {
    const struct rtattr *nested[IFLA_INFO_MAX + 1];
    flb_nl_index_nested(table[IFLA_LINKINFO], nested, IFLA_INFO_MAX + 1);
  }
  return 0;
}

static int dump(uint16_t type, size_t header) {
  flb_nl_request request;
  flb_nl_begin(&request, type, NLM_F_DUMP, header);
  return flb_nl_transact(&request, count_message, &header);
}

static void fuzz(unsigned iterations, unsigned seed) {
  srand(seed);
  for (unsigned i = 0; i < iterations; i++) {
    size_t payload = (size_t)(rand() % 200);
    size_t length = NLMSG_HDRLEN + payload;
    unsigned char *block = malloc(length);
    for (size_t byte = 0; byte < length; byte++) block[byte] = (unsigned char)rand();
    struct nlmsghdr *message = (struct nlmsghdr *)block;
    message->nlmsg_len = (uint32_t)length;
    // Attribute lengths are random: short, zero, longer than the message.
    size_t header = (size_t)(rand() % 3 == 0 ? sizeof(struct ifinfomsg) : sizeof(struct ifaddrmsg));
    const struct rtattr *table[64];
    flb_nl_index(message, header, table, 64);
    for (int type = 0; type < 64; type++)
      if (table[type] != NULL) {
        const struct rtattr *nested[16];
        flb_nl_index_nested(table[type], nested, 16);
      }
    free(block);
  }
}

int main(int argc, char **argv) {
  unsigned iterations = argc > 1 ? (unsigned)atoi(argv[1]) : 100000, seed = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
  int results[] = {dump(RTM_GETLINK, sizeof(struct ifinfomsg)), dump(RTM_GETADDR, sizeof(struct ifaddrmsg)),
                   dump(RTM_GETROUTE, sizeof(struct rtmsg))};
  for (int i = 0; i < 3; i++)
    if (results[i] != 0) {
      fprintf(stderr, "dump %d failed: %s\n", i, strerror(-results[i]));
      return 1;
    }
  fuzz(iterations, seed);
  printf("messages %ld\nattributes %ld\n", messages, attributes);
  return 0;
}
