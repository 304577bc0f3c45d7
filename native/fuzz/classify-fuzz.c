// Sanitizer harness for the hot path's parser (test/unit/l2/native-sanitizer.test.ts builds it
// with -fsanitize=address,undefined). Every frame lives in a heap block of exactly its length, so
// a read one byte past the end aborts. Frames are random bytes and mutated valid ARP / NS frames,
// cut at random lengths. Usage: classify-fuzz ITERATIONS SEED; prints the verdict counts.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../classify.h"

static uint64_t state;
static uint32_t next_random(void) { // xorshift64*: reproducible from the seed on every libc
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return (uint32_t)((state * 0x2545F4914F6CDD1DULL) >> 32);
}

static const uint8_t arp_request[42] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 2, 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1,
    2, 0, 0, 0, 0, 2, 198, 51, 100, 2, 0, 0, 0, 0, 0, 0, 203, 0, 113, 7};

// NS for 2001:db8:1::7 to its solicited-node group with an SLLA option (checksum filled at start).
static uint8_t neighbor_solicitation[86] = {
    0x33, 0x33, 0xff, 0, 0, 7, 2, 0, 0, 0, 0, 2, 0x86, 0xdd, 0x60, 0, 0, 0, 0, 32, 58, 255,
    0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
    0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 7,
    135, 0, 0, 0, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7,
    1, 1, 2, 0, 0, 0, 0, 2};

static void fill_checksum(uint8_t *frame) {
  uint32_t sum = 32 + 58;
  for (int index = 22; index < 54; index += 2) sum += (uint32_t)(frame[index] << 8 | frame[index + 1]);
  for (int index = 54; index < 86; index += 2) sum += (uint32_t)(frame[index] << 8 | frame[index + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  frame[56] = (uint8_t)(~sum >> 8);
  frame[57] = (uint8_t)(~sum & 0xff);
}

// Fills `scratch`; *protocol is the socket such a frame would arrive on (random for noise).
static size_t make_frame(uint8_t *scratch, flb_protocol *protocol) {
  uint32_t kind = next_random() % 3;
  *protocol = kind == 0 ? (flb_protocol)(next_random() & 1) : kind == 1 ? FLB_PROTOCOL_ARP : FLB_PROTOCOL_IPV6;
  size_t length = 0;
  if (kind == 0) {
    length = next_random() % 128;
    for (size_t index = 0; index < length; index++) scratch[index] = (uint8_t)next_random();
    return length;
  }
  length = kind == 1 ? sizeof arp_request : sizeof neighbor_solicitation;
  memcpy(scratch, kind == 1 ? arp_request : neighbor_solicitation, length);
  for (uint32_t edits = next_random() % 4; edits > 0; edits--) scratch[next_random() % length] = (uint8_t)next_random();
  if (next_random() % 4 == 0) length = next_random() % (length + 1);
  return length;
}

int main(int argc, char **argv) {
  long iterations = argc > 1 ? atol(argv[1]) : 100000;
  state = argc > 2 ? strtoull(argv[2], NULL, 10) | 1 : 1;
  fill_checksum(neighbor_solicitation);
  uint8_t ipv4[1][4] = {{203, 0, 113, 7}};
  uint8_t ipv6[1][16] = {{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}};
  uint32_t slots[1] = {0};
  flb_table table = {{2, 0, 0, 0, 0, 1}, 1, ipv4, slots, 1, ipv6, slots};
  long counts[FLB_REASON_COUNT] = {0}, claims = 0;
  uint8_t scratch[128];
  for (long iteration = 0; iteration < iterations; iteration++) {
    flb_protocol protocol;
    size_t length = make_frame(scratch, &protocol);
    uint8_t *frame = malloc(length == 0 ? 1 : length);
    memcpy(frame, scratch, length);
    flb_verdict verdict;
    flb_classify(length == 0 ? frame + 1 : frame, length, &table, protocol, &verdict);
    counts[verdict.reason]++;
    claims += flb_claims_owned(frame, length, &table, protocol);
    free(frame);
  }
  for (int reason = 0; reason < FLB_REASON_COUNT; reason++) printf("%s %ld\n", flb_reason_name((flb_reason)reason), counts[reason]);
  printf("claims %ld\n", claims);
  return 0;
}
