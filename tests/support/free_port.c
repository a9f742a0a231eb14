/* free_port.c - prints a TCP port on 127.0.0.1 that was free a moment ago
 * (bound to port 0, the kernel's choice, then closed). For the multi-process
 * tests and the remote benchmarks. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof addr;
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &size) != 0) {
        perror("free_port");
        return 1;
    }
    printf("%d\n", ntohs(addr.sin_port));
    close(fd);
    return 0;
}
