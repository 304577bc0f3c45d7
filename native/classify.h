// The reply hot path's decision and reply builder: pure functions over bytes and an owned-address
// table, no syscalls, so the same code answers on the wire and in classifyFrame for the
// differential test against the TypeScript specification (src/l2/classify.ts, DESIGN "Data plane").
#ifndef FERROLB_CLASSIFY_H
#define FERROLB_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#define FLB_MAC_BYTES 6
#define FLB_IPV4_BYTES 4
#define FLB_IPV6_BYTES 16
// ARP replies are padded to the Ethernet minimum (L11); an NA with one TLLA option is 86 bytes.
#define FLB_ARP_REPLY_BYTES 60
#define FLB_NA_REPLY_BYTES 86
#define FLB_REPLY_MAX_BYTES 86

typedef enum { FLB_PROTOCOL_ARP = 0, FLB_PROTOCOL_IPV6 = 1 } flb_protocol;

// Verdicts. FLB_ANSWER is 0; every other value is a drop reason. Names and the order of the
// checks follow the specification, src/l2/classify.ts (MetalLB L9 names where they exist).
typedef enum {
  FLB_ANSWER = 0,
  FLB_DROP_MALFORMED,            // shorter than a header or a declared length, IPv6 version, bad option
  FLB_DROP_ETHER_TYPE,           // not ARP (or not IPv6) for this socket's protocol
  FLB_DROP_ARP_FORMAT,           // not htype 1, ptype 0x0800, hlen 6, plen 4
  FLB_DROP_ARP_REPLY,            // ARP op other than request (L9 ARPReply)
  FLB_DROP_ETHERNET_DESTINATION, // L10 / L9 EthernetDestination
  FLB_DROP_ANNOUNCE_IP,          // target not owned (L9 AnnounceIP)
  FLB_DROP_MESSAGE_TYPE,         // not ICMPv6, or not NS code 0 (L9 MessageType)
  FLB_DROP_HOP_LIMIT,            // RFC 4861 §7.1.1: hop limit must be 255
  FLB_DROP_CHECKSUM,             // RFC 4861 §7.1.1: ICMPv6 checksum must be valid
  FLB_DROP_IP_DESTINATION,       // NS not to the target, its solicited-node group or ff02::1
  FLB_DROP_DAD_WITH_SOURCE_LL,   // RFC 4861 §7.1.1: source :: with a source link-layer option
  FLB_DROP_SOURCE_MAC,           // sender MAC (Ethernet source, ARP sender, NS SLLA) broadcast, multicast or zero
  FLB_DROP_RATE_LIMITED,         // an answer the socket's token bucket had no token for (serve.c, never classify)
  FLB_REASON_COUNT
} flb_reason;

// One owned-address table. Addresses are sorted (memcmp order) and unique; slot[i] is the
// counter slot of address i (the responder keeps counters across table swaps), or NULL.
typedef struct {
  uint8_t mac[FLB_MAC_BYTES];
  size_t ipv4_count;
  uint8_t (*ipv4)[FLB_IPV4_BYTES];
  uint32_t *ipv4_slot;
  size_t ipv6_count;
  uint8_t (*ipv6)[FLB_IPV6_BYTES];
  uint32_t *ipv6_slot;
} flb_table;

typedef struct {
  flb_reason reason;   // FLB_ANSWER or a drop reason
  long owned_index;    // index of the owned target in the table, -1 when none matched
  size_t reply_length; // bytes of reply when answering
  uint8_t reply[FLB_REPLY_MAX_BYTES];
} flb_verdict;

/** Decides whether to answer `frame` and builds the reply; never reads past `length`. */
void flb_classify(const uint8_t *frame, size_t length, const flb_table *table, flb_protocol protocol,
                  flb_verdict *verdict);

/**
 * Whether `frame` claims an owned address from another MAC (ARP of any op whose sender IP is
 * owned, or an NA whose target is owned): such frames go up to JS for conflict detection.
 */
int flb_claims_owned(const uint8_t *frame, size_t length, const flb_table *table, flb_protocol protocol);

/** Index of `address` in the table's sorted IPv4 (4 bytes) or IPv6 (16 bytes) list, or -1. */
long flb_find_owned(const flb_table *table, const uint8_t *address, size_t address_bytes);

/** The camelCase name of a verdict ("answer", "truncated", ...). */
const char *flb_reason_name(flb_reason reason);

#endif
