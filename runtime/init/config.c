/* config.c - see config.h. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/membership.h"
#include "core/scheduler.h"

#define FLAG_PREFIX "--alox-"

#define KNOWN_FLAGS                                                                          \
    "--alox-threads N, --alox-node NAME, --alox-listen tcp://HOST:PORT, "                   \
    "--alox-peer NAME=tcp://HOST:PORT, --alox-key FILE, --alox-trust FILE, "                \
    "--alox-cluster etcd://HOST:PORT/CLUSTER, "                                              \
    "--alox-top on|off, --alox-metrics tcp://HOST:PORT, --alox-trace FILE"

static bool parse_threads(const char *text, const char *source, uint32_t *out, char *err,
                          size_t err_size) {
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end != '\0' || value < 1 || value > SCHEDULER_MAX_THREADS) {
        snprintf(err, err_size,
                 "%s=%s is not a number of worker threads: give an integer from 1 to %d "
                 "(or leave it unset for one per CPU)",
                 source, text, SCHEDULER_MAX_THREADS);
        return false;
    }
    *out = (uint32_t)value;
    return true;
}

#define MAILBOX_LIMIT_MAX 1000000000L /* messages: above this, "off" (0) says it better */

static bool parse_mailbox_limit(const char *text, config *out, char *err, size_t err_size) {
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end != '\0' || value < 0 || value > MAILBOX_LIMIT_MAX) {
        snprintf(err, err_size,
                 "ALOX_MAILBOX_LIMIT=%s is not a number of messages: give an integer from 0 "
                 "(backpressure off) to %ld, or leave it unset for the default",
                 text, MAILBOX_LIMIT_MAX);
        return false;
    }
    out->mailbox_limit_set = true;
    out->mailbox_limit = (uint32_t)value;
    return true;
}

/* ------------------------------------------------------------------ */
/* Endpoints */

static bool host_name_valid(const char *h, size_t n) {
    if (n == 0 || n > 253 || h[0] == '.' || h[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '_' && h[i] != '.')
            return false;
        if (h[i] == '.' && h[i + 1] == '.')
            return false;
    }
    return true;
}

bool config_endpoint_check(const char *endpoint, bool listen, char *why, size_t why_size) {
    const char *prefix = "tcp://";
    if (strncmp(endpoint, prefix, strlen(prefix)) != 0) {
        snprintf(why, why_size, "it does not start with tcp://");
        return false;
    }
    const char *host = endpoint + strlen(prefix);
    const char *colon;
    size_t host_len;
    char buf[256];
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        if (!close) {
            snprintf(why, why_size, "'[' without ']' around the IPv6 address");
            return false;
        }
        size_t n = (size_t)(close - host - 1);
        struct in6_addr a6;
        if (n == 0 || n >= sizeof buf) {
            snprintf(why, why_size, "no IPv6 address inside [ ]");
            return false;
        }
        memcpy(buf, host + 1, n);
        buf[n] = '\0';
        if (inet_pton(AF_INET6, buf, &a6) != 1) {
            snprintf(why, why_size, "[%s] is not an IPv6 address", buf);
            return false;
        }
        if (close[1] != ':') {
            snprintf(why, why_size, "no :PORT after [%s]", buf);
            return false;
        }
        colon = close + 1;
        host_len = (size_t)(close + 1 - host);
    } else {
        colon = strrchr(host, ':');
        if (!colon) {
            snprintf(why, why_size, "no :PORT");
            return false;
        }
        host_len = (size_t)(colon - host);
        if (host_len == 0) {
            snprintf(why, why_size, "no HOST before :PORT");
            return false;
        }
        if (memchr(host, ':', host_len)) {
            snprintf(why, why_size, "an IPv6 address goes in brackets: tcp://[ADDRESS]:PORT");
            return false;
        }
        if (host_len >= sizeof buf) {
            snprintf(why, why_size, "the host name is too long");
            return false;
        }
        memcpy(buf, host, host_len);
        buf[host_len] = '\0';
        if (strcmp(buf, "*") == 0) {
            if (!listen) {
                snprintf(why, why_size, "host * (all interfaces) is only for --alox-listen");
                return false;
            }
        } else if (strspn(buf, "0123456789.") == host_len) {
            struct in_addr a4;
            if (inet_pton(AF_INET, buf, &a4) != 1) {
                snprintf(why, why_size, "%s is not an IPv4 address", buf);
                return false;
            }
        } else if (!host_name_valid(buf, host_len)) {
            snprintf(why, why_size, "'%s' is not a host name", buf);
            return false;
        }
    }
    const char *port = colon + 1;
    size_t digits = strspn(port, "0123456789");
    long value = digits && digits <= 5 ? strtol(port, NULL, 10) : 0;
    if (digits == 0 || port[digits] != '\0' || value < 1 || value > 65535) {
        snprintf(why, why_size, "the port must be a number from 1 to 65535, not '%s'", port);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Flags and variables */

/* A value and where it came from (a flag or a variable name). */
typedef struct setting {
    const char *value;
    const char *source;
} setting;

typedef struct raw_settings {
    setting node, listen, key, trust, cluster;
    setting top, metrics, trace; /* observation: no node needed */
    setting *peers;
    size_t peer_count, peer_cap;
    bool peer_flag; /* some --alox-peer was given: ALOX_PEER is not read */
    char *env_peers; /* a copy of ALOX_PEER, cut at the commas */
} raw_settings;

static void raw_free(raw_settings *raw) {
    free(raw->peers);
    free(raw->env_peers);
}

static bool raw_add_peer(raw_settings *raw, const char *value, const char *source, char *err,
                         size_t err_size) {
    if (raw->peer_count == raw->peer_cap) {
        size_t cap = raw->peer_cap ? raw->peer_cap * 2 : 4;
        setting *n = realloc(raw->peers, cap * sizeof *n);
        if (!n) {
            snprintf(err, err_size, "out of memory reading %s", source);
            return false;
        }
        raw->peers = n;
        raw->peer_cap = cap;
    }
    raw->peers[raw->peer_count++] = (setting){value, source};
    return true;
}

/* Removes argv[i] .. argv[i + count - 1]. */
static void drop_args(int *argc, char **argv, int i, int count) {
    memmove(&argv[i], &argv[i + count], (size_t)(*argc - i - count + 1) * sizeof *argv);
    *argc -= count;
}

/* Matches "--alox-NAME VALUE" or "--alox-NAME=VALUE" at argv[i]; sets
 * *value and *used (1 or 2 arguments). */
static bool match_flag(int argc, char **argv, int i, const char *name, const char **value,
                       int *used, char *err, size_t err_size) {
    size_t n = strlen(name);
    if (strncmp(argv[i], name, n) != 0)
        return false;
    if (argv[i][n] == '=') {
        *value = argv[i] + n + 1;
        *used = 1;
        return true;
    }
    if (argv[i][n] != '\0')
        return false;
    if (i + 1 >= argc) {
        snprintf(err, err_size, "%s needs a value", name);
        *value = NULL;
        *used = 1;
        return true;
    }
    *value = argv[i + 1];
    *used = 2;
    return true;
}

static bool parse_flags(int *argc, char **argv, config *out, raw_settings *raw, char *err,
                        size_t err_size) {
    struct {
        const char *name;
        setting *slot;
    } strings[] = {
        {"--alox-node", &raw->node},
        {"--alox-listen", &raw->listen},
        {"--alox-key", &raw->key},
        {"--alox-trust", &raw->trust},
        {"--alox-cluster", &raw->cluster},
        {"--alox-top", &raw->top},
        {"--alox-metrics", &raw->metrics},
        {"--alox-trace", &raw->trace},
    };
    for (int i = 1; i < *argc;) {
        if (strncmp(argv[i], FLAG_PREFIX, strlen(FLAG_PREFIX)) != 0) {
            i++;
            continue;
        }
        const char *value = NULL;
        int used = 0;
        err[0] = '\0';
        if (match_flag(*argc, argv, i, "--alox-threads", &value, &used, err, err_size)) {
            if (!value || !parse_threads(value, "--alox-threads", &out->threads, err, err_size))
                return false;
        } else if (match_flag(*argc, argv, i, "--alox-peer", &value, &used, err, err_size)) {
            if (!value || !raw_add_peer(raw, value, "--alox-peer", err, err_size))
                return false;
            raw->peer_flag = true;
        } else {
            size_t k = 0, n = sizeof strings / sizeof strings[0];
            while (k < n &&
                   !match_flag(*argc, argv, i, strings[k].name, &value, &used, err, err_size))
                k++;
            if (k == n) {
                snprintf(err, err_size, "unknown flag %s (Alox knows: " KNOWN_FLAGS ")", argv[i]);
                return false;
            }
            if (!value)
                return false;
            *strings[k].slot = (setting){value, strings[k].name}; /* the last one wins */
        }
        drop_args(argc, argv, i, used);
    }
    return true;
}

/* Settings no flag gave, from the environment. */
static bool read_env(raw_settings *raw, char *err, size_t err_size) {
    struct {
        const char *name;
        setting *slot;
    } strings[] = {
        {"ALOX_NODE", &raw->node},
        {"ALOX_LISTEN", &raw->listen},
        {"ALOX_KEY", &raw->key},
        {"ALOX_TRUST", &raw->trust},
        {"ALOX_CLUSTER", &raw->cluster},
        {"ALOX_TOP", &raw->top},
        {"ALOX_METRICS", &raw->metrics},
        {"ALOX_TRACE", &raw->trace},
    };
    for (size_t k = 0; k < sizeof strings / sizeof strings[0]; k++) {
        const char *env = getenv(strings[k].name);
        if (env && !strings[k].slot->value)
            *strings[k].slot = (setting){env, strings[k].name};
    }
    const char *env = getenv("ALOX_PEER");
    if (!env || raw->peer_flag)
        return true;
    if (!(raw->env_peers = strdup(env))) {
        snprintf(err, err_size, "out of memory reading ALOX_PEER");
        return false;
    }
    char *rest = raw->env_peers;
    for (;;) {
        char *comma = strchr(rest, ',');
        if (comma)
            *comma = '\0';
        char *entry = rest;
        while (isspace((unsigned char)*entry))
            entry++;
        char *end = entry + strlen(entry);
        while (end > entry && isspace((unsigned char)end[-1]))
            *--end = '\0';
        if (!*entry) {
            snprintf(err, err_size,
                     "ALOX_PEER=%s has an empty entry: give NAME=tcp://HOST:PORT, "
                     "separated by commas",
                     env);
            return false;
        }
        if (!raw_add_peer(raw, entry, "ALOX_PEER", err, err_size))
            return false;
        if (!comma)
            return true;
        rest = comma + 1;
    }
}

/* ------------------------------------------------------------------ */
/* Checking and loading */

static char *dup_or_fail(const char *s, bool *ok) {
    char *d = strdup(s);
    if (!d)
        *ok = false;
    return d;
}

static bool check_distribution(const raw_settings *raw, config *out, char *err,
                               size_t err_size) {
    const char *node_flag = "--alox-node NAME (or ALOX_NODE)";
    if (!raw->node.value) {
        const setting *needs[] = {&raw->listen, raw->peer_count ? &raw->peers[0] : NULL,
                                  &raw->key, &raw->trust, &raw->cluster};
        for (size_t k = 0; k < 5; k++) {
            if (needs[k] && needs[k]->value) {
                snprintf(err, err_size,
                         "%s needs %s: distribution is off without a node name", needs[k]->source,
                         node_flag);
                return false;
            }
        }
        return true;
    }

    const setting *node = &raw->node;
    if (!keys_name_valid(node->value)) {
        snprintf(err, err_size,
                 "%s=%s is not a node name: use 1 to %d of the characters A-Z a-z 0-9 _ . -",
                 node->source, node->value, KEYS_NAME_MAX);
        return false;
    }
    char why[256];
    if (raw->listen.value && !config_endpoint_check(raw->listen.value, true, why, sizeof why)) {
        snprintf(err, err_size, "%s=%s is not an endpoint tcp://HOST:PORT: %s", raw->listen.source,
                 raw->listen.value, why);
        return false;
    }
    for (size_t i = 0; i < raw->peer_count; i++) {
        const setting *p = &raw->peers[i];
        const char *eq = strchr(p->value, '=');
        if (!eq) {
            snprintf(err, err_size, "%s=%s is not NAME=tcp://HOST:PORT", p->source, p->value);
            return false;
        }
        char name[KEYS_NAME_MAX + 2];
        size_t n = (size_t)(eq - p->value);
        if (n == 0 || n > KEYS_NAME_MAX) {
            snprintf(err, err_size, "%s=%s: '%.*s' is not a node name (1 to %d of A-Z a-z 0-9 _ . -)",
                     p->source, p->value, (int)(n > 80 ? 80 : n), p->value, KEYS_NAME_MAX);
            return false;
        }
        memcpy(name, p->value, n);
        name[n] = '\0';
        if (!keys_name_valid(name)) {
            snprintf(err, err_size, "%s=%s: '%s' is not a node name (1 to %d of A-Z a-z 0-9 _ . -)",
                     p->source, p->value, name, KEYS_NAME_MAX);
            return false;
        }
        if (!config_endpoint_check(eq + 1, false, why, sizeof why)) {
            snprintf(err, err_size, "%s=%s: %s is not an endpoint tcp://HOST:PORT: %s", p->source,
                     p->value, eq + 1, why);
            return false;
        }
        if (strcmp(name, node->value) == 0) {
            snprintf(err, err_size, "%s=%s: '%s' is this node's own name (%s=%s)", p->source,
                     p->value, name, node->source, node->value);
            return false;
        }
        for (size_t j = 0; j < i; j++) {
            const char *other = raw->peers[j].value;
            if (strncmp(other, p->value, n) == 0 && other[n] == '=') {
                snprintf(err, err_size, "%s: peer '%s' is given twice (%s and %s)", p->source,
                         name, other, p->value);
                return false;
            }
        }
    }
    if (!raw->key.value) {
        snprintf(err, err_size,
                 "%s=%s needs --alox-key FILE (or ALOX_KEY), its secret key: make one with "
                 "'alox keygen DIR %s'",
                 node->source, node->value, node->value);
        return false;
    }
    if (!raw->trust.value) {
        snprintf(err, err_size,
                 "%s=%s needs --alox-trust FILE (or ALOX_TRUST): the nodes it admits, one "
                 "'NAME Z85_PUBLIC_KEY' per line",
                 node->source, node->value);
        return false;
    }

    char msg[1536];
    if (!keys_load(raw->key.value, &out->keys, msg, sizeof msg)) {
        snprintf(err, err_size, "%s=%s: %s", raw->key.source, raw->key.value, msg);
        return false;
    }
    if (!trust_load(raw->trust.value, &out->trust, msg, sizeof msg)) {
        snprintf(err, err_size, "%s=%s: %s", raw->trust.source, raw->trust.value, msg);
        return false;
    }
    if (!trust_check_ids(&out->trust, node->value, msg, sizeof msg) ||
        !trust_check_self(&out->trust, node->value, &out->keys, msg, sizeof msg)) {
        snprintf(err, err_size, "%s=%s: %s", raw->trust.source, raw->trust.value, msg);
        return false;
    }

    bool ok = true;
    out->node = dup_or_fail(node->value, &ok);
    out->node_id = node_id_of(node->value);
    out->key_path = dup_or_fail(raw->key.value, &ok);
    out->trust_path = dup_or_fail(raw->trust.value, &ok);
    if (raw->listen.value)
        out->listen = dup_or_fail(raw->listen.value, &ok);
    if (raw->peer_count && !(out->peers = calloc(raw->peer_count, sizeof *out->peers)))
        ok = false;
    for (size_t i = 0; ok && i < raw->peer_count; i++) {
        const setting *p = &raw->peers[i];
        const char *eq = strchr(p->value, '=');
        config_peer *peer = &out->peers[out->peer_count++];
        peer->name = strndup(p->value, (size_t)(eq - p->value));
        peer->endpoint = dup_or_fail(eq + 1, &ok);
        if (!peer->name) {
            ok = false;
            break;
        }
        peer->node_id = node_id_of(peer->name);
        peer->trusted = trust_find_name(&out->trust, peer->name);
        if (!peer->trusted) {
            snprintf(err, err_size,
                     "%s=%s: peer '%s' is not in the trust file %s: add a line '%s <its public "
                     "key>'",
                     p->source, p->value, peer->name, out->trust_path, peer->name);
            return false;
        }
    }
    if (!ok) {
        snprintf(err, err_size, "out of memory reading the --alox-* settings");
        return false;
    }
    return true;
}

/* --alox-cluster (config.h): a node that others can reach at its listen
 * address, which its member record gives them. */
static bool check_cluster(const raw_settings *raw, config *out, char *err, size_t err_size) {
    const setting *cluster = &raw->cluster;
    if (!cluster->value)
        return true;
    cluster_url url;
    char why[256];
    if (!cluster_url_parse(cluster->value, &url, why, sizeof why)) {
        snprintf(err, err_size, "%s=%s is not etcd://HOST:PORT/CLUSTER: %s", cluster->source,
                 cluster->value, why);
        return false;
    }
    if (!out->listen || strncmp(out->listen, "tcp://*:", 8) == 0 ||
        strncmp(out->listen, "tcp://0.0.0.0:", 14) == 0) {
        snprintf(err, err_size,
                 "%s needs --alox-listen tcp://HOST:PORT with the address other members reach "
                 "this node at (not * or 0.0.0.0: it goes into the member record)",
                 cluster->source);
        return false;
    }
    bool ok = true;
    out->cluster = dup_or_fail(cluster->value, &ok);
    if (!ok)
        snprintf(err, err_size, "out of memory reading the --alox-* settings");
    return ok;
}

/* ALOX_TOP, ALOX_METRICS, ALOX_TRACE and their flags (config.h). */
static bool check_observation(const raw_settings *raw, config *out, char *err, size_t err_size) {
    out->top = true;
    const setting *top = &raw->top;
    if (top->value) {
        const char *on[] = {"on", "1", "yes"}, *off[] = {"off", "0", "no"};
        bool known = false;
        for (size_t k = 0; k < 3; k++) {
            if (strcmp(top->value, on[k]) == 0)
                known = true;
            if (strcmp(top->value, off[k]) == 0)
                known = true, out->top = false;
        }
        if (!known) {
            snprintf(err, err_size,
                     "%s=%s: give on or off (off: alox top cannot attach to this program)",
                     top->source, top->value);
            return false;
        }
    }
    char why[256];
    const setting *metrics = &raw->metrics;
    if (metrics->value && !config_endpoint_check(metrics->value, true, why, sizeof why)) {
        snprintf(err, err_size,
                 "%s=%s is not an endpoint tcp://HOST:PORT for the Prometheus metrics: %s",
                 metrics->source, metrics->value, why);
        return false;
    }
    if (raw->trace.value && raw->trace.value[0] == '\0') {
        snprintf(err, err_size, "%s is empty: give the file to write the trace to",
                 raw->trace.source);
        return false;
    }
    bool ok = true;
    if (metrics->value)
        out->metrics = dup_or_fail(metrics->value, &ok);
    if (raw->trace.value)
        out->trace_path = dup_or_fail(raw->trace.value, &ok);
    if (!ok)
        snprintf(err, err_size, "out of memory reading the --alox-* settings");
    return ok;
}

void config_free(config *cfg) {
    if (!cfg)
        return;
    free(cfg->metrics);
    free(cfg->trace_path);
    free(cfg->node);
    free(cfg->listen);
    free(cfg->cluster);
    for (size_t i = 0; i < cfg->peer_count; i++) {
        free(cfg->peers[i].name);
        free(cfg->peers[i].endpoint);
    }
    free(cfg->peers);
    free(cfg->key_path);
    free(cfg->trust_path);
    trust_free(&cfg->trust);
    explicit_bzero(cfg, sizeof *cfg); /* the secret key too */
}

bool config_parse(int *argc, char **argv, config *out, char *err, size_t err_size) {
    memset(out, 0, sizeof *out);
    const char *env = getenv("ALOX_THREADS");
    if (env && !parse_threads(env, "ALOX_THREADS", &out->threads, err, err_size))
        return false;
    env = getenv("ALOX_MAILBOX_LIMIT");
    if (env && !parse_mailbox_limit(env, out, err, err_size))
        return false;
    raw_settings raw;
    memset(&raw, 0, sizeof raw);
    bool ok = (!argc || !argv || parse_flags(argc, argv, out, &raw, err, err_size)) &&
              read_env(&raw, err, err_size) && check_distribution(&raw, out, err, err_size) &&
              check_cluster(&raw, out, err, err_size) &&
              check_observation(&raw, out, err, err_size);
    raw_free(&raw);
    if (!ok)
        config_free(out);
    return ok;
}
