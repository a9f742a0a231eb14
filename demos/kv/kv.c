/*
 * kv.c - a key-value server speaking enough of the Redis protocol (RESP2)
 * for redis-cli and redis-benchmark: PING, ECHO, SET, GET, DEL, INCR,
 * MGET, EXISTS, INFO, QUIT, and the CONFIG / COMMAND / SELECT / CLIENT
 * replies the tools ask for.
 *
 * Actors: a listener, one `conn` per connection (the TCP layer reads into
 * it) and `--shards` shard actors, each owning a part of the keyspace (by
 * key hash). A conn parses every complete request in its input into one
 * group (up to GROUP_MAX_COMMANDS: a pipeline is one group), sends each
 * shard involved one batch of its parts, and when all batches are back
 * writes the replies in request order, all in one write. While a group is
 * out, input waits in the connection's buffer: the TCP layer stops
 * reading when it is full, so a client that floods is slowed down, not
 * buffered without bound.
 *
 *     kv [--host 127.0.0.1] [--port 6380] [--shards 4] [--alox-threads N]
 */
#include <alox.h>
#include <alox/tcp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resp.h"
#include "table.h"

#define MAX_SHARDS 64
#define GROUP_MAX_COMMANDS 1024 /* requests answered per group (one write) */
#define KV_INPUT_LIMIT (2 * RESP_MAX_BULK + 65536) /* bytes: the largest request, with room */
/* Bytes of buffers a connection keeps from one group to the next (a
 * group's copy of its requests, its replies, its arrays): enough for a
 * pipeline of small requests, so that those cost no allocation; a group
 * of large values or many keys gives its memory back when answered. */
#define GROUP_KEEP_BYTES 65536

struct shard;
struct conn;
struct alox_actor shard { table keys; };
struct alox_actor conn { alox_tcp tcp; struct group *group, *spare; bool eof, dead, closing; };
struct alox_actor listener { int32_t fd; };

static struct shard *shards[MAX_SHARDS]; /* set in main before alox_run; read-only after */
static int shard_count = 4;
static _Atomic long conn_actors; /* started and not yet stopped (INFO: a leak shows here) */

/* ----- groups and batches --------------------------------------------- */

enum op { OP_GET, OP_SET, OP_DEL, OP_EXISTS, OP_INCR };
enum kind { KIND_LOCAL, KIND_SINGLE, KIND_MGET, KIND_SUM };

typedef struct part {
    uint8_t op;
    uint32_t key_len, value_len;
    uint64_t hash;
    const char *key, *value; /* into the group's arena */
    uint32_t reply_at, reply_len; /* in the batch's out, set by the shard */
} part;

typedef struct batch { /* one shard's parts of a group */
    struct conn *conn;
    part *parts;
    uint32_t count, capacity;
    char *out;
    size_t out_len, out_capacity;
} batch;

typedef struct command {
    uint8_t kind;
    uint32_t first, count; /* its parts: locations[first .. first + count) */
    uint32_t local_at, local_len; /* KIND_LOCAL: its reply in the group's local buffer */
} command;

typedef struct location {
    uint16_t shard;
    uint32_t index;
} location;

typedef struct group {
    char *arena; /* a copy of the requests' bytes: parts point here */
    size_t consumed, arena_capacity;
    command *commands; /* command_count of them */
    uint32_t command_count, command_capacity;
    location *locations;
    uint32_t location_count, location_capacity;
    int outstanding;
    char *local;
    size_t local_len, local_capacity;
    bool close_after; /* QUIT or a protocol error: close once answered */
    batch *batches[]; /* shard_count of them, NULL until a group of the conn used the shard;
                         a shard is involved in this group if its batch has parts */
} group;

static void *checked(void *p) {
    if (!p) {
        fprintf(stderr, "kv: out of memory\n");
        abort();
    }
    return p;
}

static void append(char **buf, size_t *len, size_t *capacity, const void *data, size_t n) {
    if (*len + n > *capacity) {
        size_t c = *capacity ? *capacity : 256;
        while (c < *len + n)
            c *= 2;
        *buf = checked(realloc(*buf, c));
        *capacity = c;
    }
    memcpy(*buf + *len, data, n);
    *len += n;
}

static void append_bulk(char **buf, size_t *len, size_t *capacity, const char *data, size_t n) {
    char head[32];
    append(buf, len, capacity, head, resp_format_line(head, '$', (int64_t)n));
    append(buf, len, capacity, data, n);
    append(buf, len, capacity, "\r\n", 2);
}

/* ----- shards ------------------------------------------------------------ */

alox_behave void done(struct conn *self, alox_stage struct batch *b);

static void reply(batch *b, part *p, const char *text, size_t n) {
    p->reply_at = (uint32_t)b->out_len;
    append(&b->out, &b->out_len, &b->out_capacity, text, n);
    p->reply_len = (uint32_t)n;
}

static void execute(struct shard *self, batch *b, part *p) {
    table_entry *e;
    char num[RESP_INT_MAX];
    switch (p->op) {
    case OP_GET:
        e = table_get(&self->keys, p->key, p->key_len, p->hash);
        p->reply_at = (uint32_t)b->out_len;
        if (e)
            append_bulk(&b->out, &b->out_len, &b->out_capacity, e->value, e->value_len);
        else
            append(&b->out, &b->out_len, &b->out_capacity, "$-1\r\n", 5);
        p->reply_len = (uint32_t)(b->out_len - p->reply_at);
        break;
    case OP_SET:
        table_set(&self->keys, p->key, p->key_len, p->hash, p->value, p->value_len);
        reply(b, p, "+OK\r\n", 5);
        break;
    case OP_DEL:
        reply(b, p, num, resp_format_int(num, table_del(&self->keys, p->key, p->key_len, p->hash)));
        break;
    case OP_EXISTS:
        reply(b, p, num, resp_format_int(num, table_get(&self->keys, p->key, p->key_len, p->hash) != NULL));
        break;
    case OP_INCR: {
        int64_t v = 0;
        e = table_get(&self->keys, p->key, p->key_len, p->hash);
        if ((e && !resp_parse_int(e->value, e->value_len, &v)) || v == INT64_MAX) {
            const char *err = e && v == INT64_MAX ? "-ERR increment or decrement would overflow\r\n"
                                                  : "-ERR value is not an integer or out of range\r\n";
            reply(b, p, err, strlen(err));
            break;
        }
        v++;
        size_t n = resp_format_int(num, v); /* ":<v>\r\n": the value is its middle */
        table_set(&self->keys, p->key, p->key_len, p->hash, num + 1, n - 3);
        reply(b, p, num, n);
        break;
    }
    }
}

alox_behave void exec(struct shard *self, alox_stage struct batch *b) {
    for (uint32_t i = 0; i < b->count; i++)
        execute(self, b, &b->parts[i]);
    done(b->conn, b);
}

/* ----- building a group ------------------------------------------------- */

static void local_reply(group *g, command *c, const char *text, size_t n) {
    c->kind = KIND_LOCAL;
    c->local_at = (uint32_t)g->local_len;
    append(&g->local, &g->local_len, &g->local_capacity, text, n);
    c->local_len = (uint32_t)n;
}

static void add_part(group *g, struct conn *owner, command *c, uint8_t op, const resp_arg *key,
                     const resp_arg *value) {
    uint64_t hash = table_hash(key->p, key->len);
    uint16_t s = (uint16_t)(hash % (uint64_t)shard_count);
    batch *b = g->batches[s];
    if (!b) {
        b = g->batches[s] = checked(calloc(1, sizeof *b));
        b->conn = owner;
    }
    if (b->count == 0)
        g->outstanding++; /* the shard's first part in this group */
    if (b->count == b->capacity) {
        b->capacity = b->capacity ? b->capacity * 2 : 8;
        b->parts = checked(realloc(b->parts, b->capacity * sizeof *b->parts));
    }
    b->parts[b->count] = (part){op, (uint32_t)key->len, value ? (uint32_t)value->len : 0, hash,
                                key->p, value ? value->p : NULL, 0, 0};
    if (g->location_count == g->location_capacity) {
        g->location_capacity = g->location_capacity ? g->location_capacity * 2 : 16;
        g->locations = checked(realloc(g->locations, g->location_capacity * sizeof *g->locations));
    }
    g->locations[g->location_count++] = (location){s, b->count++};
    c->count++;
}

static void wrong_args(group *g, command *c, const resp_arg *name) {
    char text[160];
    int n = snprintf(text, sizeof text, "-ERR wrong number of arguments for '%.*s' command\r\n",
                     (int)(name->len < 32 ? name->len : 32), name->p);
    local_reply(g, c, text, (size_t)n);
}

static void info_reply(group *g, command *c) {
    char body[256], text[300];
    int b = snprintf(body, sizeof body,
                     "# Server\r\nredis_version:7.0.0\r\nalox_kv:1\r\nshards:%d\r\n"
                     "# Clients\r\nconnected_clients:%llu\r\nconnection_actors:%ld\r\n",
                     shard_count, (unsigned long long)alox_tcp_connections(), atomic_load(&conn_actors));
    int n = snprintf(text, sizeof text, "$%d\r\n%s\r\n", b, body);
    local_reply(g, c, text, (size_t)n);
}

/* One request of the group: answered here, or split into parts. */
static void classify(group *g, struct conn *owner, command *c, const resp_arg *argv, int argc) {
    const resp_arg *name = &argv[0];
    *c = (command){KIND_SINGLE, g->location_count, 0, 0, 0};
    if (resp_is(name, "GET") || resp_is(name, "INCR")) {
        if (argc != 2)
            return wrong_args(g, c, name);
        add_part(g, owner, c, resp_is(name, "GET") ? OP_GET : OP_INCR, &argv[1], NULL);
    } else if (resp_is(name, "SET")) {
        if (argc != 3)
            return argc < 3 ? wrong_args(g, c, name) : local_reply(g, c, "-ERR syntax error\r\n", 19);
        add_part(g, owner, c, OP_SET, &argv[1], &argv[2]);
    } else if (resp_is(name, "MGET") || resp_is(name, "DEL") || resp_is(name, "EXISTS")) {
        if (argc < 2)
            return wrong_args(g, c, name);
        c->kind = resp_is(name, "MGET") ? KIND_MGET : KIND_SUM;
        uint8_t op = resp_is(name, "MGET") ? OP_GET : resp_is(name, "DEL") ? OP_DEL : OP_EXISTS;
        for (int i = 1; i < argc; i++)
            add_part(g, owner, c, op, &argv[i], NULL);
    } else if (resp_is(name, "PING")) {
        if (argc == 1)
            local_reply(g, c, "+PONG\r\n", 7);
        else {
            c->kind = KIND_LOCAL;
            c->local_at = (uint32_t)g->local_len;
            append_bulk(&g->local, &g->local_len, &g->local_capacity, argv[1].p, argv[1].len);
            c->local_len = (uint32_t)(g->local_len - c->local_at);
        }
    } else if (resp_is(name, "ECHO") && argc == 2) {
        c->kind = KIND_LOCAL;
        c->local_at = (uint32_t)g->local_len;
        append_bulk(&g->local, &g->local_len, &g->local_capacity, argv[1].p, argv[1].len);
        c->local_len = (uint32_t)(g->local_len - c->local_at);
    } else if (resp_is(name, "CONFIG") && argc == 3 && resp_is(&argv[1], "GET")) {
        /* redis-benchmark asks for "save" and "appendonly": nothing to report. */
        c->kind = KIND_LOCAL;
        c->local_at = (uint32_t)g->local_len;
        append(&g->local, &g->local_len, &g->local_capacity, "*2\r\n", 4);
        append_bulk(&g->local, &g->local_len, &g->local_capacity, argv[2].p, argv[2].len);
        append_bulk(&g->local, &g->local_len, &g->local_capacity, "", 0);
        c->local_len = (uint32_t)(g->local_len - c->local_at);
    } else if (resp_is(name, "COMMAND")) {
        local_reply(g, c, "*0\r\n", 4);
    } else if (resp_is(name, "SELECT") || resp_is(name, "CLIENT")) {
        local_reply(g, c, "+OK\r\n", 5);
    } else if (resp_is(name, "INFO")) {
        info_reply(g, c);
    } else if (resp_is(name, "QUIT")) {
        local_reply(g, c, "+OK\r\n", 5);
        g->close_after = true;
    } else {
        char text[160];
        int n = snprintf(text, sizeof text, "-ERR unknown command '%.*s'\r\n",
                         (int)(name->len < 64 ? name->len : 64), name->p);
        local_reply(g, c, text, (size_t)n);
    }
}

static bool involved(const group *g, int s) { return g->batches[s] && g->batches[s]->count > 0; }

/* Empties a group for the conn's next one, keeping every buffer: a
 * request costs no allocation once its connection has answered one. */
static void group_reset(group *g) {
    for (int s = 0; s < shard_count; s++)
        if (g->batches[s]) {
            g->batches[s]->count = 0;
            g->batches[s]->out_len = 0;
        }
    g->consumed = 0;
    g->command_count = 0;
    g->location_count = 0;
    g->outstanding = 0;
    g->local_len = 0;
    g->close_after = false;
}

/* Whether g's buffers are worth keeping for the conn's next group. */
static bool group_keep(const group *g) {
    size_t bytes = g->arena_capacity + g->local_capacity + g->command_capacity * sizeof(command) +
                   g->location_capacity * sizeof(location);
    for (int s = 0; s < shard_count; s++)
        if (g->batches[s])
            bytes += g->batches[s]->capacity * sizeof(part) + g->batches[s]->out_capacity;
    return bytes <= GROUP_KEEP_BYTES;
}

static group *group_new(void) {
    return checked(calloc(1, sizeof(group) + (size_t)shard_count * sizeof(batch *)));
}

static void group_free(group *g) {
    if (!g)
        return;
    for (int s = 0; s < shard_count; s++)
        if (g->batches[s]) {
            free(g->batches[s]->parts);
            free(g->batches[s]->out);
            free(g->batches[s]);
        }
    free(g->locations);
    free(g->local);
    free(g->arena);
    free(g->commands);
    free(g);
}

/* ----- answering ---------------------------------------------------------- */

static void write_part(struct conn *self, group *g, const location *l) {
    batch *b = g->batches[l->shard];
    const part *p = &b->parts[l->index];
    alox_tcp_write(&self->tcp, b->out + p->reply_at, p->reply_len);
}

static void answer(struct conn *self, group *g) {
    for (uint32_t i = 0; i < g->command_count; i++) {
        const command *c = &g->commands[i];
        if (c->kind == KIND_LOCAL) {
            alox_tcp_write(&self->tcp, g->local + c->local_at, c->local_len);
        } else if (c->kind == KIND_SINGLE) {
            write_part(self, g, &g->locations[c->first]);
        } else if (c->kind == KIND_MGET) {
            char head[32];
            int n = snprintf(head, sizeof head, "*%u\r\n", c->count);
            alox_tcp_write(&self->tcp, head, (size_t)n);
            for (uint32_t k = 0; k < c->count; k++)
                write_part(self, g, &g->locations[c->first + k]);
        } else { /* KIND_SUM: DEL, EXISTS */
            int64_t sum = 0, v;
            for (uint32_t k = 0; k < c->count; k++) {
                const location *l = &g->locations[c->first + k];
                const part *p = &g->batches[l->shard]->parts[l->index];
                if (resp_parse_int(g->batches[l->shard]->out + p->reply_at + 1, p->reply_len - 3, &v))
                    sum += v;
            }
            char num[RESP_INT_MAX];
            alox_tcp_write(&self->tcp, num, resp_format_int(num, sum));
        }
    }
}

/* ----- a connection ------------------------------------------------------ */

static void serve(struct conn *self);

static void end_if_done(struct conn *self) {
    if (self->group)
        return; /* its batches must come back first: they point here */
    if (self->dead || self->closing || self->eof) {
        group_free(self->spare);
        self->spare = NULL;
        alox_tcp_close(&self->tcp);
        atomic_fetch_sub(&conn_actors, 1);
        alox_stop(self);
    }
}

/* A group is complete: answer it and drop its input. */
static void finish_group(struct conn *self) {
    group *g = self->group;
    self->group = NULL;
    if (!self->dead) {
        answer(self, g);
        alox_tcp_consume(&self->tcp, g->consumed);
        if (g->close_after)
            self->closing = true;
    }
    if (group_keep(g)) {
        group_reset(g);
        self->spare = g;
    } else {
        group_free(g);
    }
}

alox_behave void done(struct conn *self, alox_stage struct batch *b) {
    (void)b; /* the group holds it */
    if (--self->group->outstanding == 0) {
        finish_group(self);
        serve(self); /* the input that waited */
    }
}

static void protocol_error(struct conn *self, const char *error) {
    alox_tcp_write(&self->tcp, "-", 1);
    alox_tcp_write(&self->tcp, error, strlen(error));
    alox_tcp_write(&self->tcp, "\r\n", 2);
    self->closing = true;
}

/* The group's parts point into the connection's input while it is
 * parsed; the TCP layer may move that buffer while the group is out (it
 * reads on, and slides or grows it), so they are moved to the group's own
 * copy of the requests' bytes before it goes out. */
static void keep_requests(group *g, const char *in, size_t used) {
    if (used > g->arena_capacity) {
        free(g->arena);
        g->arena = checked(malloc(used));
        g->arena_capacity = used;
    }
    memcpy(g->arena, in, used);
    g->consumed = used;
    for (int s = 0; s < shard_count; s++)
        for (uint32_t i = 0; involved(g, s) && i < g->batches[s]->count; i++) {
            part *p = &g->batches[s]->parts[i];
            p->key = g->arena + (p->key - in);
            if (p->value)
                p->value = g->arena + (p->value - in);
        }
}

static command *next_command(group *g) {
    if (g->command_count == g->command_capacity) {
        g->command_capacity = g->command_capacity ? g->command_capacity * 2 : 16;
        g->commands = checked(realloc(g->commands, g->command_capacity * sizeof *g->commands));
    }
    return &g->commands[g->command_count++];
}

/* Parses every complete request (up to a group's worth) once, into the
 * conn's spare group, and sends the group out; answers at once when no
 * shard is involved. */
static void serve(struct conn *self) {
    static _Thread_local resp_arg argv[RESP_MAX_ARGS];
    while (!self->group && !self->dead && !self->closing) {
        size_t len;
        const char *in = alox_tcp_input(&self->tcp, &len);
        size_t used = 0;
        uint32_t count = 0;
        const char *error = NULL;
        int argc;
        group *g = self->spare ? self->spare : group_new();
        self->spare = NULL;
        while (count < GROUP_MAX_COMMANDS && used < len) {
            long n = resp_parse(in + used, len - used, argv, &argc, &error);
            if (n <= 0)
                break;
            used += (size_t)n;
            count++;
            if (argc > 0) /* not an empty line or "*0" */
                classify(g, self, next_command(g), argv, argc);
        }
        if (count == 0) {
            self->spare = g;
            if (error)
                protocol_error(self, error);
            else if (len >= KV_INPUT_LIMIT)
                protocol_error(self, "ERR Protocol error: request too large");
            break;
        }
        keep_requests(g, in, used);
        self->group = g;
        if (g->outstanding == 0) {
            finish_group(self); /* answered here: on with the next group */
            continue;
        }
        for (int s = 0; s < shard_count; s++)
            if (involved(g, s))
                exec(shards[s], g->batches[s]);
    }
    end_if_done(self);
}

alox_behave void on_data(struct conn *self, int fd, uint32_t events) {
    (void)fd;
    if (events & ALOX_TCP_RESET)
        self->dead = true;
    if (events & ALOX_TCP_EOF)
        self->eof = true;
    if (!self->group)
        serve(self);
}

alox_behave void start(struct conn *self, int fd) {
    alox_tcp_set_input_limit(&self->tcp, KV_INPUT_LIMIT);
    if (alox_tcp_open(&self->tcp, self, fd, on_data) < 0)
        alox_stop(self);
    else
        atomic_fetch_add(&conn_actors, 1);
}

alox_behave void on_accept(struct listener *self, int fd) {
    (void)self;
    start(alox_new(struct conn), fd);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    const char *host = "127.0.0.1";
    int port = 6380;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--host") == 0 && i + 1 < argc)
            host = argv[++i];
        else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--shards") == 0 && i + 1 < argc)
            shard_count = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: kv [--host ADDRESS] [--port PORT] [--shards 1-%d] [--alox-threads N]\n",
                    MAX_SHARDS);
            return 2;
        }
    }
    if (shard_count < 1 || shard_count > MAX_SHARDS || port < 0 || port > 65535) {
        fprintf(stderr, "kv: --shards must be 1 to %d and --port 0 to 65535\n", MAX_SHARDS);
        return 2;
    }
    for (int s = 0; s < shard_count; s++)
        shards[s] = alox_new(struct shard);
    struct listener *l = alox_new(struct listener);
    int fd = alox_tcp_listen(l, host, (uint16_t)port, on_accept);
    if (fd < 0)
        return 1;
    printf("kv: listening on %s:%u (%d shards, %d worker threads)\n", host, alox_tcp_port(fd),
           shard_count, alox_threads());
    fflush(stdout);
    return alox_run();
}
