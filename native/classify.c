// Pure ARP / NDP decision and reply builder (see classify.h). Every read is preceded by a size
// check against the received length; lengths declared inside the frame are never trusted.
#include "classify.h"

#include <string.h>

#define ETHERNET_HEADER_BYTES 14
#define ARP_FRAME_BYTES 42 // Ethernet + ARP for IPv4 over Ethernet, before padding
#define IPV6_HEADER_BYTES 40
#define IPV6_START ETHERNET_HEADER_BYTES
#define ICMPV6_START (ETHERNET_HEADER_BYTES + IPV6_HEADER_BYTES)
#define NS_BYTES 24 // type, code, checksum, reserved, target (RFC 4861 §4.3)
#define NA_PAYLOAD_BYTES 32 // NA (24) + one Target Link-Layer Address option (8), §4.4
#define ICMPV6_NEXT_HEADER 58
#define ICMPV6_NS 135
#define ICMPV6_NA 136
#define OPTION_SOURCE_LL 1
#define OPTION_TARGET_LL 2
#define NA_FLAG_SOLICITED 0x40
#define NA_FLAG_OVERRIDE 0x20

static const uint8_t broadcast_mac[FLB_MAC_BYTES] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t all_nodes_mac[FLB_MAC_BYTES] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
static const uint8_t all_nodes_ip[FLB_IPV6_BYTES] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t unspecified_ip[FLB_IPV6_BYTES] = {0};

static const char *const reason_names[FLB_REASON_COUNT] = {
    "answer",    "malformed",   "etherType", "arpFormat",     "arpReply",        "ethernetDestination",
    "announceIP", "messageType", "hopLimit",  "checksum",      "ipDestination",   "dadWithSourceLL",
    "sourceMac",  "rateLimited",
};

const char *flb_reason_name(flb_reason reason) {
  return (unsigned)reason < FLB_REASON_COUNT ? reason_names[reason] : "unknown";
}

static uint16_t read_u16(const uint8_t *bytes) { return (uint16_t)((bytes[0] << 8) | bytes[1]); }

static void write_u16(uint8_t *bytes, uint16_t value) {
  bytes[0] = (uint8_t)(value >> 8);
  bytes[1] = (uint8_t)(value & 0xff);
}

long flb_find_owned(const flb_table *table, const uint8_t *address, size_t address_bytes) {
  const uint8_t *base = address_bytes == FLB_IPV4_BYTES ? (const uint8_t *)table->ipv4 : (const uint8_t *)table->ipv6;
  size_t count = address_bytes == FLB_IPV4_BYTES ? table->ipv4_count : table->ipv6_count;
  size_t low = 0, high = count;
  while (low < high) { // binary search: the table is sorted in memcmp order
    size_t middle = low + (high - low) / 2;
    int order = memcmp(base + middle * address_bytes, address, address_bytes);
    if (order == 0) return (long)middle;
    if (order < 0) low = middle + 1;
    else high = middle;
  }
  return -1;
}

#define ARP_HEADER_BYTES 8 // htype, ptype, hlen, plen, op (RFC 826)

// A requester's MAC must be a unicast station address (IEEE 802: I/G bit clear, not all zero): a
// reply to a broadcast or multicast "requester" goes to every host on the segment, and a zero MAC
// is no station at all (issue 12 #11).
static int is_unicast_mac(const uint8_t *mac) {
  static const uint8_t zero_mac[FLB_MAC_BYTES] = {0};
  return (mac[0] & 0x01) == 0 && memcmp(mac, zero_mac, FLB_MAC_BYTES) != 0;
}

static flb_reason check_arp(const uint8_t *frame, size_t length, const flb_table *table, long *owned) {
  if (length < ETHERNET_HEADER_BYTES) return FLB_DROP_MALFORMED;
  if (read_u16(frame + 12) != 0x0806) return FLB_DROP_ETHER_TYPE;
  // The sender declares the address sizes: check them against the frame before reading addresses.
  size_t declared = ETHERNET_HEADER_BYTES + ARP_HEADER_BYTES;
  if (length < declared || length < declared + 2 * ((size_t)frame[18] + frame[19])) return FLB_DROP_MALFORMED;
  // RFC 826 over Ethernet for IPv4: htype 1, ptype 0x0800, hlen 6, plen 4.
  if (read_u16(frame + 14) != 1 || read_u16(frame + 16) != 0x0800 || frame[18] != 6 || frame[19] != 4)
    return FLB_DROP_ARP_FORMAT;
  if (read_u16(frame + 20) != 1) return FLB_DROP_ARP_REPLY;
  if (!is_unicast_mac(frame + 6) || !is_unicast_mac(frame + 22)) return FLB_DROP_SOURCE_MAC;
  // L10: broadcast, or unicast to our MAC (cache refresh); other unicast is not for us.
  if (memcmp(frame, broadcast_mac, FLB_MAC_BYTES) != 0 && memcmp(frame, table->mac, FLB_MAC_BYTES) != 0)
    return FLB_DROP_ETHERNET_DESTINATION;
  *owned = flb_find_owned(table, frame + 38, FLB_IPV4_BYTES);
  return *owned < 0 ? FLB_DROP_ANNOUNCE_IP : FLB_ANSWER;
}

// L11: reply to the requester's ARP sender hardware address; probes (sender IP 0.0.0.0, RFC 5227)
// get target IP 0.0.0.0 back, which is what the requester's ARP sender IP field holds.
static size_t build_arp_reply(const uint8_t *request, const flb_table *table, uint8_t *reply) {
  memset(reply, 0, FLB_ARP_REPLY_BYTES);
  memcpy(reply, request + 22, FLB_MAC_BYTES);
  memcpy(reply + 6, table->mac, FLB_MAC_BYTES);
  write_u16(reply + 12, 0x0806);
  write_u16(reply + 14, 1);
  write_u16(reply + 16, 0x0800);
  reply[18] = 6;
  reply[19] = 4;
  write_u16(reply + 20, 2);
  memcpy(reply + 22, table->mac, FLB_MAC_BYTES);
  memcpy(reply + 28, request + 38, FLB_IPV4_BYTES);
  memcpy(reply + 32, request + 22, FLB_MAC_BYTES);
  memcpy(reply + 38, request + 28, FLB_IPV4_BYTES);
  return FLB_ARP_REPLY_BYTES;
}

// RFC 4443 §2.3 / RFC 8200 §8.1: one's-complement sum over the pseudo-header and the message.
static uint16_t icmpv6_checksum(const uint8_t *source, const uint8_t *destination, const uint8_t *message,
                                size_t message_bytes) {
  uint32_t sum = 0;
  for (size_t index = 0; index < FLB_IPV6_BYTES; index += 2)
    sum += read_u16(source + index) + read_u16(destination + index);
  sum += (uint32_t)(message_bytes >> 16) + (uint32_t)(message_bytes & 0xffff) + ICMPV6_NEXT_HEADER;
  for (size_t index = 0; index + 1 < message_bytes; index += 2) sum += read_u16(message + index);
  if (message_bytes & 1) sum += (uint32_t)message[message_bytes - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

// Walks the options (RFC 4861 §4.6): a zero length or one running past the payload drops the
// message (§7.1.1). Returns the first Source Link-Layer Address option's MAC through `source_ll`.
static flb_reason walk_options(const uint8_t *options, size_t bytes, const uint8_t **source_ll) {
  size_t offset = 0;
  while (offset < bytes) {
    if (bytes - offset < 2) return FLB_DROP_MALFORMED;
    size_t option_bytes = (size_t)options[offset + 1] * 8;
    if (option_bytes == 0 || option_bytes > bytes - offset) return FLB_DROP_MALFORMED;
    if (options[offset] == OPTION_SOURCE_LL && *source_ll == NULL) *source_ll = options + offset + 2;
    offset += option_bytes;
  }
  return FLB_ANSWER;
}

static int is_solicited_node_of(const uint8_t *address, const uint8_t *target) {
  static const uint8_t prefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff};
  return memcmp(address, prefix, sizeof prefix) == 0 && memcmp(address + 13, target + 13, 3) == 0;
}

// RFC 4861 §7.1.1 validity before any ownership question. NAs are parsed like NS (body and
// options) before being refused, so a truncated NA is malformed rather than the wrong type.
static flb_reason check_ns_header(const uint8_t *frame, size_t length, size_t *payload_bytes,
                                  const uint8_t **source_ll) {
  if (length < ETHERNET_HEADER_BYTES) return FLB_DROP_MALFORMED;
  if (read_u16(frame + 12) != 0x86dd) return FLB_DROP_ETHER_TYPE;
  if (length < ICMPV6_START || (frame[IPV6_START] >> 4) != 6) return FLB_DROP_MALFORMED;
  *payload_bytes = read_u16(frame + IPV6_START + 4);
  // Bytes past the declared payload are an Ethernet trailer and are ignored.
  if (*payload_bytes > length - ICMPV6_START) return FLB_DROP_MALFORMED;
  if (frame[IPV6_START + 6] != ICMPV6_NEXT_HEADER) return FLB_DROP_MESSAGE_TYPE;
  if (frame[IPV6_START + 7] != 255) return FLB_DROP_HOP_LIMIT;
  const uint8_t *icmp = frame + ICMPV6_START;
  if (*payload_bytes < 4) return FLB_DROP_MALFORMED;
  if (icmp[0] != ICMPV6_NS && icmp[0] != ICMPV6_NA) return FLB_DROP_MESSAGE_TYPE;
  if (*payload_bytes < NS_BYTES) return FLB_DROP_MALFORMED;
  flb_reason reason = walk_options(icmp + NS_BYTES, *payload_bytes - NS_BYTES, source_ll);
  if (reason != FLB_ANSWER) return reason;
  if (icmp[0] != ICMPV6_NS || icmp[1] != 0) return FLB_DROP_MESSAGE_TYPE;
  if (icmpv6_checksum(frame + IPV6_START + 8, frame + IPV6_START + 24, icmp, *payload_bytes) != 0)
    return FLB_DROP_CHECKSUM;
  return FLB_ANSWER;
}

static flb_reason check_ns_addressing(const uint8_t *frame, const flb_table *table, const uint8_t *source_ll) {
  const uint8_t *target = frame + ICMPV6_START + 8;
  const uint8_t *destination = frame + IPV6_START + 24;
  int to_our_mac = memcmp(frame, table->mac, FLB_MAC_BYTES) == 0;
  int to_group_mac = frame[0] == 0x33 && frame[1] == 0x33 && frame[2] == 0xff && memcmp(frame + 3, target + 13, 3) == 0;
  if (!to_our_mac && !to_group_mac && memcmp(frame, all_nodes_mac, FLB_MAC_BYTES) != 0)
    return FLB_DROP_ETHERNET_DESTINATION;
  // Unicast to the target is neighbour unreachability detection (metallb#2920, Q4).
  if (memcmp(destination, target, FLB_IPV6_BYTES) != 0 && !is_solicited_node_of(destination, target) &&
      memcmp(destination, all_nodes_ip, FLB_IPV6_BYTES) != 0)
    return FLB_DROP_IP_DESTINATION;
  if (memcmp(frame + IPV6_START + 8, unspecified_ip, FLB_IPV6_BYTES) == 0 && source_ll != NULL)
    return FLB_DROP_DAD_WITH_SOURCE_LL;
  return FLB_ANSWER;
}

static flb_reason check_ns(const uint8_t *frame, size_t length, const flb_table *table, long *owned,
                           const uint8_t **source_ll) {
  size_t payload_bytes = 0;
  flb_reason reason = check_ns_header(frame, length, &payload_bytes, source_ll);
  if (reason != FLB_ANSWER) return reason;
  if (!is_unicast_mac(frame + 6) || (*source_ll != NULL && !is_unicast_mac(*source_ll))) return FLB_DROP_SOURCE_MAC;
  *owned = flb_find_owned(table, frame + ICMPV6_START + 8, FLB_IPV6_BYTES);
  if (*owned < 0) return FLB_DROP_ANNOUNCE_IP;
  return check_ns_addressing(frame, table, *source_ll);
}

// RFC 4861 §7.2.4: a DAD probe (source ::) is answered to ff02::1 with S=0; otherwise unicast to
// the NS source, to the SLLA MAC or else the frame's Ethernet source, with S=1. O=1 always (Q6).
static size_t build_na(const uint8_t *request, const flb_table *table, const uint8_t *source_ll, uint8_t *reply) {
  const uint8_t *target = request + ICMPV6_START + 8;
  int is_dad = memcmp(request + IPV6_START + 8, unspecified_ip, FLB_IPV6_BYTES) == 0;
  memset(reply, 0, FLB_NA_REPLY_BYTES);
  memcpy(reply, is_dad ? all_nodes_mac : source_ll != NULL ? source_ll : request + 6, FLB_MAC_BYTES);
  memcpy(reply + 6, table->mac, FLB_MAC_BYTES);
  write_u16(reply + 12, 0x86dd);
  uint8_t *ip = reply + IPV6_START;
  ip[0] = 0x60;
  write_u16(ip + 4, NA_PAYLOAD_BYTES);
  ip[6] = ICMPV6_NEXT_HEADER;
  ip[7] = 255;
  memcpy(ip + 8, target, FLB_IPV6_BYTES);
  memcpy(ip + 24, is_dad ? all_nodes_ip : request + IPV6_START + 8, FLB_IPV6_BYTES);
  uint8_t *icmp = reply + ICMPV6_START;
  icmp[0] = ICMPV6_NA;
  icmp[4] = is_dad ? NA_FLAG_OVERRIDE : NA_FLAG_SOLICITED | NA_FLAG_OVERRIDE;
  memcpy(icmp + 8, target, FLB_IPV6_BYTES);
  icmp[24] = OPTION_TARGET_LL;
  icmp[25] = 1;
  memcpy(icmp + 26, table->mac, FLB_MAC_BYTES);
  write_u16(icmp + 2, icmpv6_checksum(ip + 8, ip + 24, icmp, NA_PAYLOAD_BYTES));
  return FLB_NA_REPLY_BYTES;
}

void flb_classify(const uint8_t *frame, size_t length, const flb_table *table, flb_protocol protocol,
                  flb_verdict *verdict) {
  const uint8_t *source_ll = NULL;
  verdict->owned_index = -1;
  verdict->reply_length = 0;
  if (protocol == FLB_PROTOCOL_ARP) {
    verdict->reason = check_arp(frame, length, table, &verdict->owned_index);
    if (verdict->reason == FLB_ANSWER) verdict->reply_length = build_arp_reply(frame, table, verdict->reply);
    return;
  }
  verdict->reason = check_ns(frame, length, table, &verdict->owned_index, &source_ll);
  if (verdict->reason == FLB_ANSWER) verdict->reply_length = build_na(frame, table, source_ll, verdict->reply);
}

int flb_claims_owned(const uint8_t *frame, size_t length, const flb_table *table, flb_protocol protocol) {
  if (protocol == FLB_PROTOCOL_ARP) {
    if (length < ARP_FRAME_BYTES || read_u16(frame + 12) != 0x0806 || read_u16(frame + 14) != 1 ||
        read_u16(frame + 16) != 0x0800 || frame[18] != 6 || frame[19] != 4)
      return 0;
    return memcmp(frame + 22, table->mac, FLB_MAC_BYTES) != 0 && flb_find_owned(table, frame + 28, FLB_IPV4_BYTES) >= 0;
  }
  // JS (detectConflict) decides which MAC the NA claims and whether it is ours; this only keeps
  // NAs for targets we do not own off the JS thread.
  if (length < ICMPV6_START + NS_BYTES || read_u16(frame + 12) != 0x86dd || frame[IPV6_START + 6] != ICMPV6_NEXT_HEADER)
    return 0;
  size_t payload_bytes = read_u16(frame + IPV6_START + 4);
  if (payload_bytes < NS_BYTES || payload_bytes > length - ICMPV6_START || frame[ICMPV6_START] != ICMPV6_NA) return 0;
  return flb_find_owned(table, frame + ICMPV6_START + 8, FLB_IPV6_BYTES) >= 0;
}
