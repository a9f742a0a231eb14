/* cluster_url.c - etcd://HOST:PORT/CLUSTER; see membership.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "membership.h"

static bool cluster_name_valid(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > MEMBERSHIP_CLUSTER_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
            return false;
    return true;
}

bool cluster_url_parse(const char *text, cluster_url *out, char *why, size_t why_size) {
    memset(out, 0, sizeof *out);
    const char *scheme = "etcd://";
    if (strncmp(text, scheme, strlen(scheme)) != 0) {
        snprintf(why, why_size, "it does not start with etcd:// (the only membership service)");
        return false;
    }
    const char *host = text + strlen(scheme);
    const char *slash = strchr(host, '/');
    if (!slash) {
        snprintf(why, why_size, "no /CLUSTER after HOST:PORT");
        return false;
    }
    const char *colon = host[0] == '[' ? strstr(host, "]:") : memchr(host, ':', (size_t)(slash - host));
    if (colon && host[0] == '[')
        colon++;
    if (!colon || colon > slash) {
        snprintf(why, why_size, "no :PORT after the host (etcd's client port, often 2379)");
        return false;
    }
    size_t host_len = (size_t)(colon - host);
    if (host_len == 0 || host_len >= sizeof out->host) {
        snprintf(why, why_size, "no host before :PORT");
        return false;
    }
    memcpy(out->host, host, host_len);
    for (size_t i = 0; i < host_len; i++)
        if (isspace((unsigned char)out->host[i]) || out->host[i] == '@') {
            snprintf(why, why_size, "'%s' is not a host", out->host);
            return false;
        }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (end != slash || port < 1 || port > 65535 || !isdigit((unsigned char)colon[1])) {
        snprintf(why, why_size, "the port must be a number from 1 to 65535");
        return false;
    }
    out->port = (unsigned)port;
    if (!cluster_name_valid(slash + 1)) {
        snprintf(why, why_size,
                 "the cluster name '%s' must be 1 to %d of A-Z a-z 0-9 _ . - (no further /)",
                 slash + 1, MEMBERSHIP_CLUSTER_MAX);
        return false;
    }
    snprintf(out->cluster, sizeof out->cluster, "%s", slash + 1);
    return true;
}
