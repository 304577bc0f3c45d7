// Owned-address tables and their counter slots. A table is immutable once built: the responder
// thread reads it under the instance mutex, and JS replaces it whole (built outside the lock,
// swapped inside it), so a reply never sees half an update.
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "responder.h"

static int compare_ipv4(const void *left, const void *right) { return memcmp(left, right, FLB_IPV4_BYTES); }
static int compare_ipv6(const void *left, const void *right) { return memcmp(left, right, FLB_IPV6_BYTES); }

// Sorts and removes duplicates in place; returns the new count.
static size_t sort_unique(uint8_t *addresses, size_t count, size_t address_bytes) {
  if (count == 0) return 0;
  qsort(addresses, count, address_bytes, address_bytes == FLB_IPV4_BYTES ? compare_ipv4 : compare_ipv6);
  size_t kept = 1;
  for (size_t index = 1; index < count; index++) {
    uint8_t *candidate = addresses + index * address_bytes;
    if (memcmp(candidate, addresses + (kept - 1) * address_bytes, address_bytes) == 0) continue;
    memmove(addresses + kept * address_bytes, candidate, address_bytes);
    kept++;
  }
  return kept;
}

void flb_table_free(flb_table *table) {
  if (table == NULL) return;
  free(table->ipv4);
  free(table->ipv4_slot);
  free(table->ipv6);
  free(table->ipv6_slot);
  free(table);
}

flb_table *flb_table_build(const uint8_t *mac, const uint8_t *ipv4, size_t ipv4_count, const uint8_t *ipv6,
                           size_t ipv6_count) {
  flb_table *table = calloc(1, sizeof *table);
  if (table == NULL) return NULL;
  memcpy(table->mac, mac, FLB_MAC_BYTES);
  // One spare element keeps malloc(0) out of the picture.
  table->ipv4 = malloc((ipv4_count + 1) * FLB_IPV4_BYTES);
  table->ipv4_slot = calloc(ipv4_count + 1, sizeof(uint32_t));
  table->ipv6 = malloc((ipv6_count + 1) * FLB_IPV6_BYTES);
  table->ipv6_slot = calloc(ipv6_count + 1, sizeof(uint32_t));
  if (!table->ipv4 || !table->ipv4_slot || !table->ipv6 || !table->ipv6_slot) {
    flb_table_free(table);
    return NULL;
  }
  if (ipv4_count > 0) memcpy(table->ipv4, ipv4, ipv4_count * FLB_IPV4_BYTES);
  if (ipv6_count > 0) memcpy(table->ipv6, ipv6, ipv6_count * FLB_IPV6_BYTES);
  table->ipv4_count = sort_unique((uint8_t *)table->ipv4, ipv4_count, FLB_IPV4_BYTES);
  table->ipv6_count = sort_unique((uint8_t *)table->ipv6, ipv6_count, FLB_IPV6_BYTES);
  return table;
}

// Counter slots live as long as the socket, so counters survive withdraw and re-add of an IP
// (Prometheus counters must never go backwards). Called with the instance mutex held.
static long slot_for(flb_socket *socket, const uint8_t *address, size_t address_bytes) {
  for (size_t index = 0; index < socket->slot_count; index++) {
    flb_counter_slot *slot = &socket->slots[index];
    if (slot->address_bytes == address_bytes && memcmp(slot->address, address, address_bytes) == 0)
      return (long)index;
  }
  if (socket->slot_count == socket->slot_capacity) {
    size_t capacity = socket->slot_capacity == 0 ? 16 : socket->slot_capacity * 2;
    flb_counter_slot *grown = realloc(socket->slots, capacity * sizeof *grown);
    if (grown == NULL) return -1;
    socket->slots = grown;
    socket->slot_capacity = capacity;
  }
  flb_counter_slot *slot = &socket->slots[socket->slot_count];
  memset(slot, 0, sizeof *slot);
  slot->address_bytes = (uint8_t)address_bytes;
  memcpy(slot->address, address, address_bytes);
  return (long)socket->slot_count++;
}

static int assign_slots(flb_socket *socket, flb_table *table) {
  for (size_t index = 0; index < table->ipv4_count; index++) {
    long slot = slot_for(socket, table->ipv4[index], FLB_IPV4_BYTES);
    if (slot < 0) return ENOMEM;
    table->ipv4_slot[index] = (uint32_t)slot;
  }
  for (size_t index = 0; index < table->ipv6_count; index++) {
    long slot = slot_for(socket, table->ipv6[index], FLB_IPV6_BYTES);
    if (slot < 0) return ENOMEM;
    table->ipv6_slot[index] = (uint32_t)slot;
  }
  return 0;
}

int flb_socket_set_table(flb_socket *socket, flb_table *table) {
  pthread_mutex_lock(&socket->instance->mutex);
  int error = assign_slots(socket, table);
  flb_table *previous = table;
  if (error == 0) {
    previous = socket->table;
    socket->table = table;
  }
  pthread_mutex_unlock(&socket->instance->mutex);
  flb_table_free(previous);
  return error;
}
