/* etcd.c - etcd's v3 JSON gateway over libcurl and Jansson; see etcd.h. */
#include "etcd.h"

#include "cluster_libs.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct byte_buffer {
    char *data;
    size_t size, capacity;
} byte_buffer;

struct etcd_client {
    char base[320];            /* http://HOST:PORT */
    char error[1024];
    CURL *easy;                /* short requests, one at a time */
    struct curl_slist *headers;
    byte_buffer reply;
    CURLM *multi;              /* the watch stream (and etcd_wait's sleep) */
    CURL *watch;
    char *watch_body;
    byte_buffer watch_data;    /* received and not yet parsed */
    bool watch_open, watch_created, watch_canceled;
    etcd_kv_fn watch_fn;
    void *watch_context;
};

static bool buffer_append(byte_buffer *b, const void *data, size_t size) {
    if (b->size + size + 1 > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 4096;
        while (capacity < b->size + size + 1)
            capacity *= 2;
        char *grown = realloc(b->data, capacity);
        if (!grown)
            return false;
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->size, data, size);
    b->size += size;
    b->data[b->size] = '\0';
    return true;
}

static size_t collect_reply(char *data, size_t one, size_t count, void *context) {
    return buffer_append(context, data, one * count) ? one * count : 0;
}

bool etcd_global_init(void) {
    return cl_curl.global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK && sodium_init() >= 0;
}

const char *etcd_error(const etcd_client *c) { return c->error; }

etcd_client *etcd_open(const char *host, unsigned port) {
    etcd_client *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    snprintf(c->base, sizeof c->base, "http://%s:%u", host, port);
    c->easy = cl_curl.easy_init();
    c->multi = cl_curl.multi_init();
    c->headers = cl_curl.slist_append(NULL, "Content-Type: application/json");
    if (!c->easy || !c->multi || !c->headers) {
        etcd_close(c);
        return NULL;
    }
    return c;
}

void etcd_watch_stop(etcd_client *c) {
    if (c->watch) {
        cl_curl.multi_remove_handle(c->multi, c->watch);
        cl_curl.easy_cleanup(c->watch);
        c->watch = NULL;
    }
    free(c->watch_body);
    c->watch_body = NULL;
    c->watch_data.size = 0;
    c->watch_open = c->watch_created = c->watch_canceled = false;
}

void etcd_close(etcd_client *c) {
    if (!c)
        return;
    etcd_watch_stop(c);
    if (c->multi)
        cl_curl.multi_cleanup(c->multi);
    if (c->easy)
        cl_curl.easy_cleanup(c->easy);
    cl_curl.slist_free_all(c->headers);
    free(c->reply.data);
    free(c->watch_data.data);
    free(c);
}

/* ---------------------------------------------------------------------
 * Encodings: base64 bytes, int64 as JSON strings.
 * ------------------------------------------------------------------- */
static json_t *base64_of(const void *data, size_t size) {
    size_t length = sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL);
    char *text = malloc(length);
    if (!text)
        return NULL;
    sodium_bin2base64(text, length, data, size, sodium_base64_VARIANT_ORIGINAL);
    json_t *s = cl_json.string(text);
    free(text);
    return s;
}

/* The bytes of a base64 JSON string, in a new NUL-terminated buffer
 * (*size: their count); an absent field is empty; NULL if it is not
 * base64 (or out of memory). */
static char *bytes_of(const json_t *value, size_t *size) {
    const char *text = cl_json.string_value(value);
    *size = 0;
    if (!text)
        return calloc(1, 1); /* an absent field: empty (the gateway omits empty values) */
    size_t length = strlen(text);
    char *out = malloc(length + 1);
    if (!out)
        return NULL;
    if (sodium_base642bin((unsigned char *)out, length, text, length, NULL, size, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(out);
        return NULL;
    }
    out[*size] = '\0';
    return out;
}

static json_t *int64_text(int64_t n) {
    char text[24];
    snprintf(text, sizeof text, "%" PRId64, n);
    return cl_json.string(text);
}

/* The gateway writes int64 as a string; an absent field is 0. */
static int64_t int64_of(const json_t *value) {
    if (json_is_integer(value))
        return (int64_t)cl_json.integer_value(value);
    const char *text = cl_json.string_value(value);
    return text ? strtoll(text, NULL, 10) : 0;
}

/* The key just after every key that begins with prefix (etcd's range_end). */
static json_t *prefix_end(const char *prefix) {
    size_t n = strlen(prefix);
    unsigned char end[512];
    if (n == 0 || n > sizeof end)
        return NULL;
    memcpy(end, prefix, n);
    while (n > 0 && end[n - 1] == 0xff)
        n--;
    if (n == 0)
        return base64_of("\0", 1);
    end[n - 1]++;
    return base64_of(end, n);
}

/* ---------------------------------------------------------------------
 * Short requests.
 * ------------------------------------------------------------------- */
static void common_options(etcd_client *c, CURL *h, const char *url, const char *body) {
    cl_curl.setopt_str(h, CURLOPT_URL, url);
    cl_curl.setopt_slist(h, CURLOPT_HTTPHEADER, c->headers);
    cl_curl.setopt_str(h, CURLOPT_POSTFIELDS, body);
    cl_curl.setopt_long(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for timeouts */
    cl_curl.setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, (long)ETCD_CONNECT_TIMEOUT_MS);
    cl_curl.setopt_str(h, CURLOPT_PROXY, ""); /* etcd is reached directly, whatever http_proxy says */
}

/* POSTs body (taken) to c->base + path; the parsed reply, or NULL with
 * c->error set. */
static json_t *post(etcd_client *c, const char *path, json_t *body) {
    c->error[0] = '\0';
    char *text = body ? cl_json.dumps(body, JSON_COMPACT) : NULL;
    cl_json.decref(body);
    if (!text) {
        snprintf(c->error, sizeof c->error, "out of memory building a request to %s", path);
        return NULL;
    }
    char url[400];
    snprintf(url, sizeof url, "%s%s", c->base, path);
    c->reply.size = 0;
    cl_curl.easy_reset(c->easy);
    common_options(c, c->easy, url, text);
    cl_curl.setopt_long(c->easy, CURLOPT_TIMEOUT_MS, (long)ETCD_REQUEST_TIMEOUT_MS);
    cl_curl.setopt_write(c->easy, CURLOPT_WRITEFUNCTION, collect_reply);
    cl_curl.setopt_ptr(c->easy, CURLOPT_WRITEDATA, &c->reply);
    CURLcode rc = cl_curl.easy_perform(c->easy);
    free(text);
    if (rc != CURLE_OK) {
        snprintf(c->error, sizeof c->error, "%s: %s", url, cl_curl.easy_strerror(rc));
        return NULL;
    }
    long status = 0;
    cl_curl.getinfo_long(c->easy, CURLINFO_RESPONSE_CODE, &status);
    json_error_t why;
    json_t *reply = cl_json.loadb(c->reply.size ? c->reply.data : "", c->reply.size, 0, &why);
    if (status != 200) {
        const char *message = cl_json.string_value(cl_json.object_get(reply, "message"));
        if (!message)
            message = cl_json.string_value(cl_json.object_get(reply, "error"));
        snprintf(c->error, sizeof c->error, "%s: HTTP %ld: %s", url, status,
                 message ? message : "(no message)");
        cl_json.decref(reply);
        return NULL;
    }
    if (!json_is_object(reply)) {
        snprintf(c->error, sizeof c->error, "%s: the reply is not a JSON object: %s", url,
                 why.text);
        cl_json.decref(reply);
        return NULL;
    }
    return reply;
}

bool etcd_lease_grant(etcd_client *c, int64_t ttl_s, int64_t *lease, int64_t *granted_ttl) {
    json_t *reply = post(c, "/v3/lease/grant", cl_json.pack("{s:I}", "TTL", (json_int_t)ttl_s));
    if (!reply)
        return false;
    *lease = int64_of(cl_json.object_get(reply, "ID"));
    *granted_ttl = int64_of(cl_json.object_get(reply, "TTL"));
    cl_json.decref(reply);
    if (*lease == 0) {
        snprintf(c->error, sizeof c->error, "%s/v3/lease/grant: the reply has no lease ID", c->base);
        return false;
    }
    return true;
}

int etcd_lease_keepalive(etcd_client *c, int64_t lease, int64_t *ttl_s) {
    json_t *reply = post(c, "/v3/lease/keepalive", cl_json.pack("{s:o}", "ID", int64_text(lease)));
    if (!reply)
        return strstr(c->error, "not found") ? 0 : -1;
    json_t *result = cl_json.object_get(reply, "result");
    *ttl_s = int64_of(cl_json.object_get(result ? result : reply, "TTL"));
    cl_json.decref(reply);
    return *ttl_s > 0 ? 1 : 0; /* an unknown lease comes back with no TTL */
}

bool etcd_lease_revoke(etcd_client *c, int64_t lease) {
    json_t *reply = post(c, "/v3/lease/revoke", cl_json.pack("{s:o}", "ID", int64_text(lease)));
    cl_json.decref(reply);
    return reply != NULL;
}

bool etcd_put(etcd_client *c, const char *key, const void *value, size_t value_size,
              int64_t lease) {
    json_t *body = cl_json.pack("{s:o,s:o}", "key", base64_of(key, strlen(key)), "value",
                             base64_of(value, value_size));
    if (body && lease)
        cl_json.object_set_new(body, "lease", int64_text(lease));
    json_t *reply = post(c, "/v3/kv/put", body);
    cl_json.decref(reply);
    return reply != NULL;
}

/* Calls fn for one "kv" object of a range reply or watch event. */
static bool report_kv(const json_t *kv, bool deleted, etcd_kv_fn fn, void *context) {
    size_t key_size, value_size;
    char *key = bytes_of(cl_json.object_get(kv, "key"), &key_size);
    char *value = bytes_of(cl_json.object_get(kv, "value"), &value_size);
    bool ok = key && value;
    if (ok)
        fn(context, &(etcd_kv){key, value, key_size, value_size, deleted,
                               int64_of(cl_json.object_get(kv, "mod_revision"))});
    free(key);
    free(value);
    return ok;
}

bool etcd_range_prefix(etcd_client *c, const char *prefix, etcd_kv_fn fn, void *context,
                       int64_t *revision) {
    json_t *body = cl_json.pack("{s:o,s:o}", "key", base64_of(prefix, strlen(prefix)), "range_end",
                             prefix_end(prefix));
    json_t *reply = post(c, "/v3/kv/range", body);
    if (!reply)
        return false;
    *revision = int64_of(cl_json.object_get(cl_json.object_get(reply, "header"), "revision"));
    const json_t *kvs = cl_json.object_get(reply, "kvs"); /* absent: size 0 */
    for (size_t i = 0; i < cl_json.array_size(kvs); i++)
        report_kv(cl_json.array_get(kvs, i), false, fn, context);
    cl_json.decref(reply);
    return true;
}

/* ---------------------------------------------------------------------
 * The watch: one streamed response, a JSON object per message.
 * ------------------------------------------------------------------- */
static void watch_message(etcd_client *c, const json_t *message) {
    const json_t *result = cl_json.object_get(message, "result");
    if (!result) { /* {"error": ...}: the stream is over */
        c->watch_canceled = true;
        return;
    }
    if (json_is_true(cl_json.object_get(result, "created")))
        c->watch_created = true;
    if (json_is_true(cl_json.object_get(result, "canceled")))
        c->watch_canceled = true; /* e.g. compacted: resync from a range */
    const json_t *events = cl_json.object_get(result, "events"); /* absent: size 0 */
    for (size_t i = 0; i < cl_json.array_size(events); i++) {
        const json_t *event = cl_json.array_get(events, i);
        const char *type = cl_json.string_value(cl_json.object_get(event, "type"));
        bool deleted = type && strcmp(type, "DELETE") == 0; /* PUT, the default, is omitted */
        report_kv(cl_json.object_get(event, "kv"), deleted, c->watch_fn, c->watch_context);
    }
}

static size_t collect_watch(char *data, size_t one, size_t count, void *context) {
    etcd_client *c = context;
    if (!buffer_append(&c->watch_data, data, one * count))
        return 0;
    size_t used = 0;
    while (used < c->watch_data.size) {
        json_error_t why;
        /* DISABLE_EOF_CHECK: one object of a stream, why.position says
         * where it ended. A partial object fails: wait for more. */
        json_t *m = cl_json.loadb(c->watch_data.data + used, c->watch_data.size - used,
                               JSON_DISABLE_EOF_CHECK, &why);
        if (!m)
            break;
        used += (size_t)why.position;
        watch_message(c, m);
        cl_json.decref(m);
        while (used < c->watch_data.size && strchr(" \r\n\t", c->watch_data.data[used]))
            used++;
    }
    memmove(c->watch_data.data, c->watch_data.data + used, c->watch_data.size - used);
    c->watch_data.size -= used;
    if (c->watch_data.size > ETCD_WATCH_BUFFER_MAX) {
        c->watch_canceled = true; /* not JSON after all: drop it, resync */
        return 0;
    }
    return one * count;
}

bool etcd_watch_start(etcd_client *c, const char *prefix, int64_t start_revision, etcd_kv_fn fn,
                      void *context) {
    etcd_watch_stop(c);
    json_t *create = cl_json.pack("{s:o,s:o,s:o}", "key", base64_of(prefix, strlen(prefix)),
                               "range_end", prefix_end(prefix), "start_revision",
                               int64_text(start_revision));
    json_t *body = cl_json.pack("{s:o}", "create_request", create);
    c->watch_body = body ? cl_json.dumps(body, JSON_COMPACT) : NULL;
    cl_json.decref(body);
    c->watch = cl_curl.easy_init();
    if (!c->watch_body || !c->watch) {
        snprintf(c->error, sizeof c->error, "out of memory starting a watch");
        etcd_watch_stop(c);
        return false;
    }
    char url[400];
    snprintf(url, sizeof url, "%s/v3/watch", c->base);
    common_options(c, c->watch, url, c->watch_body);
    cl_curl.setopt_write(c->watch, CURLOPT_WRITEFUNCTION, collect_watch);
    cl_curl.setopt_ptr(c->watch, CURLOPT_WRITEDATA, c);
    cl_curl.setopt_long(c->watch, CURLOPT_TCP_KEEPALIVE, 1L); /* a vanished etcd host shows */
    cl_curl.setopt_long(c->watch, CURLOPT_TCP_KEEPIDLE, ETCD_WATCH_KEEPALIVE_S);
    cl_curl.setopt_long(c->watch, CURLOPT_TCP_KEEPINTVL, ETCD_WATCH_KEEPALIVE_S);
    c->watch_fn = fn;
    c->watch_context = context;
    if (cl_curl.multi_add_handle(c->multi, c->watch) != CURLM_OK) {
        snprintf(c->error, sizeof c->error, "cannot start a watch on %s", url);
        etcd_watch_stop(c);
        return false;
    }
    c->watch_open = true;
    return true;
}

bool etcd_watching(const etcd_client *c) { return c->watch_open && !c->watch_canceled; }

static void watch_progress(etcd_client *c) {
    int running = 0;
    cl_curl.multi_perform(c->multi, &running);
    CURLMsg *m;
    int left;
    while ((m = cl_curl.multi_info_read(c->multi, &left)))
        if (m->msg == CURLMSG_DONE && m->easy_handle == c->watch) {
            snprintf(c->error, sizeof c->error, "the watch on %s ended: %s", c->base,
                     cl_curl.easy_strerror(m->data.result));
            c->watch_open = false;
        }
}

void etcd_wait(etcd_client *c, int timeout_ms) {
    if (c->watch_open)
        watch_progress(c);
    cl_curl.multi_poll(c->multi, NULL, 0, timeout_ms, NULL);
    if (c->watch_open)
        watch_progress(c);
}

void etcd_wakeup(etcd_client *c) { cl_curl.multi_wakeup(c->multi); }
