// Garbage UDP flood for the gossip flood test (issue 12 #6): sends 64-byte datagrams of junk to
// ADDRESS:PORT for SECONDS with sendmmsg in batches, then prints how many were sent.
// Usage: udp-flood ADDRESS PORT SECONDS
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define SIZE 64

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: udp-flood ADDRESS PORT SECONDS\n");
    return 2;
  }
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
  if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
    fprintf(stderr, "udp-flood: %s is not an IPv4 address\n", argv[1]);
    return 2;
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
    perror("udp-flood: socket");
    return 1;
  }
  static unsigned char payload[BATCH][SIZE];
  struct iovec iov[BATCH];
  struct mmsghdr messages[BATCH];
  memset(messages, 0, sizeof messages);
  for (int i = 0; i < BATCH; i++) {
    memset(payload[i], 0xa5, SIZE);
    payload[i][0] = (unsigned char)i;
    iov[i].iov_base = payload[i];
    iov[i].iov_len = SIZE;
    messages[i].msg_hdr.msg_iov = &iov[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  double end = now_seconds() + atof(argv[3]);
  unsigned long long sent = 0;
  while (now_seconds() < end) {
    int count = sendmmsg(fd, messages, BATCH, 0);
    if (count > 0) sent += (unsigned long long)count;
  }
  printf("%llu\n", sent);
  close(fd);
  return 0;
}
