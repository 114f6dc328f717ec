/*
 * The smallest tap reader (docs/tap-protocol.md): blocking read(), count
 * whole records, nothing else. Its CPU per event is the floor of what
 * delivery costs any process woken by the OS. With INTERVAL_MS > 0 it reads
 * in batches: after each read it sleeps that long, then takes what queued.
 * Usage: tap-reader SOCKET [INTERVAL_MS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: tap-reader SOCKET [INTERVAL_MS]\n"); return 2; }
  int interval = argc > 2 ? atoi(argv[2]) : 0;
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 3; }
  static unsigned char buf[65536];
  size_t have = 0;
  long events = 0, reads = 0;
  int hello = 0;
  for (;;) {
    ssize_t n = read(fd, buf + have, sizeof buf - have);
    if (n <= 0) break;
    reads++;
    have += (size_t)n;
    size_t off = 0;
    if (!hello) {
      if (have < 16) continue;
      if (memcmp(buf, "FSTAP\0\0\0", 8) != 0) { fprintf(stderr, "not a fleetsim tap\n"); return 4; }
      hello = 1;
      off = 16;
    }
    while (have - off >= 32) { events++; off += 32; }
    memmove(buf, buf + off, have - off);
    have -= off;
    if (interval > 0) {
      struct timespec ts = { interval / 1000, (long)(interval % 1000) * 1000000L };
      nanosleep(&ts, NULL);
    }
  }
  printf("{\"events\":%ld,\"deliveries\":%ld}\n", events, reads);
  return 0;
}
