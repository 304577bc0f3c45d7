// AF_PACKET socket set-up (toolchain.md §2.1): protocol 0 at socket() so nothing is queued before
// bind, the BPF filter attached before bind, then bind to (EtherType, ifindex) and a drain.
#define _GNU_SOURCE
#include "socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define ACCEPT_BYTES 0x40000
#define RECEIVE_BUFFER_BYTES (4 * 1024 * 1024)

// ARP of any opcode: requests to answer, replies and gratuitous ARP for conflict detection.
static struct sock_filter arp_program[] = {
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, ACCEPT_BYTES),
    BPF_STMT(BPF_RET | BPF_K, 0),
};

// IPv6 whose next header is ICMPv6 (byte 20) and whose ICMPv6 type (byte 54) is NS or NA. Reads
// past the frame's end make the program return 0, so short frames never pass.
static struct sock_filter ipv6_program[] = {
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 6),
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, 0, 4),
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 54),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 135, 1, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 136, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, ACCEPT_BYTES),
    BPF_STMT(BPF_RET | BPF_K, 0),
};

static int attach_filter(int fd, flb_protocol protocol) {
  struct sock_fprog program;
  if (protocol == FLB_PROTOCOL_ARP) {
    program.len = sizeof arp_program / sizeof arp_program[0];
    program.filter = arp_program;
  } else {
    program.len = sizeof ipv6_program / sizeof ipv6_program[0];
    program.filter = ipv6_program;
  }
  return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) == 0 ? 0 : errno;
}

static void drain(int fd) {
  uint8_t scratch[64];
  while (recv(fd, scratch, sizeof scratch, MSG_DONTWAIT | MSG_TRUNC) >= 0) continue;
}

static int configure(int fd, int ifindex, flb_protocol protocol, const char **step) {
  int one = 1;
  *step = "setsockopt(PACKET_IGNORE_OUTGOING)";
  if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) != 0) return errno;
  // Room for bursts while a lane thread waits for a CPU (about 5,000 frames): forced with
  // CAP_NET_ADMIN, else as far as net.core.rmem_max allows. Neither is fatal.
  int buffer_bytes = RECEIVE_BUFFER_BYTES;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer_bytes, sizeof buffer_bytes) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
  // Kernel receive timestamps: the latency histogram then includes the responder's wake-up.
  *step = "setsockopt(SO_TIMESTAMPNS)";
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0) return errno;
  *step = "setsockopt(SO_ATTACH_FILTER)";
  int error = attach_filter(fd, protocol);
  if (error != 0) return error;
  struct sockaddr_ll address;
  memset(&address, 0, sizeof address);
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(protocol == FLB_PROTOCOL_ARP ? ETH_P_ARP : ETH_P_IPV6);
  address.sll_ifindex = ifindex;
  *step = "bind";
  if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0) return errno;
  // Nothing can be queued before bind with protocol 0, but drain anyway: the filter must have
  // seen every frame the responder reads.
  drain(fd);
  return 0;
}

static int open_one(unsigned index, flb_protocol protocol, int *fd, const char **step) {
  *step = "socket(AF_PACKET)";
  int descriptor = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (descriptor < 0) return errno;
  int error = configure(descriptor, (int)index, protocol, step);
  if (error != 0) {
    close(descriptor);
    return error;
  }
  *fd = descriptor;
  return 0;
}

// Joins a PACKET_FANOUT_CPU group: the kernel hands a frame received on CPU c to member c % n, so
// the lane whose thread is pinned to that CPU answers it without a cross-CPU wake-up. The first
// member asks for a fresh id (never joining another program's group); the rest join that id.
static int join_fanout(int fd, uint16_t *id) {
  uint32_t request = *id | ((uint32_t)(PACKET_FANOUT_CPU | (*id == 0 ? PACKET_FANOUT_FLAG_UNIQUEID : 0)) << 16);
  if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &request, sizeof request) != 0) return errno;
  if (*id != 0) return 0;
  uint32_t joined = 0;
  socklen_t length = sizeof joined;
  if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &joined, &length) != 0) return errno;
  *id = (uint16_t)(joined & 0xffff);
  return 0;
}

int flb_socket_open(const char *interface_name, flb_protocol protocol, int lanes, int *fds, int *opened, int *ifindex,
                    const char **step) {
  *step = "if_nametoindex";
  unsigned index = if_nametoindex(interface_name);
  if (index == 0) return errno == 0 ? ENODEV : errno;
  int error = open_one(index, protocol, &fds[0], step);
  if (error != 0) return error;
  *opened = 1;
  *ifindex = (int)index;
  // Without fanout (an old kernel) lane 0 alone receives everything, which is still correct.
  uint16_t group = 0;
  if (lanes < 2 || join_fanout(fds[0], &group) != 0) return 0;
  for (int lane = 1; lane < lanes; lane++) {
    const char *ignored;
    if (open_one(index, protocol, &fds[lane], &ignored) != 0) break;
    if (join_fanout(fds[lane], &group) != 0) {
      close(fds[lane]);
      break;
    }
    *opened = lane + 1;
  }
  return 0;
}

int flb_socket_send(int fd, int ifindex, const uint8_t *frame, size_t length) {
  if (length < 14) return EINVAL;
  struct sockaddr_ll address;
  memset(&address, 0, sizeof address);
  address.sll_family = AF_PACKET;
  memcpy(&address.sll_protocol, frame + 12, 2); // already in network order
  address.sll_ifindex = ifindex;
  address.sll_halen = 6;
  memcpy(address.sll_addr, frame, 6);
  ssize_t sent = sendto(fd, frame, length, MSG_DONTWAIT, (struct sockaddr *)&address, sizeof address);
  if (sent < 0) return errno;
  return (size_t)sent == length ? 0 : EMSGSIZE;
}

int flb_socket_membership(int fd, int ifindex, const uint8_t *mac, int is_add) {
  struct packet_mreq request;
  memset(&request, 0, sizeof request);
  request.mr_ifindex = ifindex;
  request.mr_type = PACKET_MR_MULTICAST;
  request.mr_alen = 6;
  memcpy(request.mr_address, mac, 6);
  int option = is_add ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP;
  return setsockopt(fd, SOL_PACKET, option, &request, sizeof request) == 0 ? 0 : errno;
}
