/*
 * resp.h - the Redis protocol (RESP2) for demos/kv: parsing one request
 * (an array of bulk strings, as redis-cli and redis-benchmark send, or an
 * inline command line) and formatting replies. Plain C, no actors.
 */
#ifndef KV_RESP_H
#define KV_RESP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#define RESP_MAX_ARGS 1024          /* arguments of one command (MGET k1 ... k1023) */
#define RESP_MAX_BULK (512u << 10)  /* bytes of one argument */

typedef struct resp_arg {
    const char *p;
    size_t len;
} resp_arg;

/* Parses one request at in[0, len). Returns the bytes it took (> 0) with
 * argv/argc set (pointing into in), 0 if the request is not complete yet,
 * or -1 with *error set (a protocol error: answer it and close). */
long resp_parse(const char *in, size_t len, resp_arg *argv, int *argc, const char **error);

/* Case-insensitive comparison of an argument with a command name. Inline,
 * so that the name's length is a constant and a command of another length
 * or first letter costs no call (a request is compared with several). */
static inline int resp_is(const resp_arg *arg, const char *name) {
    size_t n = strlen(name);
    return arg->len == n && n > 0 && ((arg->p[0] ^ name[0]) & ~0x20) == 0 &&
           strncasecmp(arg->p, name, n) == 0;
}

/* Formats into out (at least RESP_INT_MAX bytes): ":<n>\r\n". Returns the length. */
#define RESP_INT_MAX 24
size_t resp_format_int(char *out, int64_t n);

/* The same line with another type byte: "$<n>\r\n" heads a bulk string of
 * n bytes, "*<n>\r\n" an array. By hand, not snprintf: every GET that
 * finds its key writes one, and snprintf took ~700 instructions of it
 * (callgrind). Returns the length. */
size_t resp_format_line(char *out, char type, int64_t n);

/* Parses a signed 64-bit decimal, as Redis does (no spaces, no "+").
 * Returns 1 and sets *n, or 0. */
int resp_parse_int(const char *p, size_t len, int64_t *n);

#endif
