/* resp.c - see resp.h. */
#include "resp.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* The decimal after a type byte, up to "\r\n". Returns the bytes taken
 * (including "\r\n"), 0 if incomplete, -1 if malformed. One pass over the
 * digits (no search for the '\r' first): every request has 1 + argc of
 * these lines. */
static inline __attribute__((always_inline)) long parse_line_number(const char *in, size_t len,
                                                                    long long *value) {
    size_t i = 1;
    int negative = i < len && in[i] == '-';
    i += (size_t)negative;
    size_t first_digit = i;
    long long v = 0;
    for (; i < len && in[i] >= '0' && in[i] <= '9'; i++) {
        if (v > 1000000000000LL)
            return -1;
        v = v * 10 + (in[i] - '0');
    }
    if (i == len)
        return len > 32 ? -1 : 0; /* a number line is short */
    if (in[i] != '\r' || i == first_digit)
        return -1;
    if (i + 1 == len)
        return 0;
    if (in[i + 1] != '\n')
        return -1;
    *value = negative ? -v : v;
    return (long)i + 2;
}

static long parse_inline(const char *in, size_t len, resp_arg *argv, int *argc, const char **error) {
    const char *nl = memchr(in, '\n', len);
    if (!nl) {
        if (len > 64 * 1024) {
            *error = "ERR Protocol error: too big inline request";
            return -1;
        }
        return 0;
    }
    const char *end = nl > in && nl[-1] == '\r' ? nl - 1 : nl;
    int n = 0;
    for (const char *p = in; p < end;) {
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p == end)
            break;
        const char *start = p;
        while (p < end && *p != ' ' && *p != '\t')
            p++;
        if (n == RESP_MAX_ARGS) {
            *error = "ERR Protocol error: too many arguments";
            return -1;
        }
        argv[n++] = (resp_arg){start, (size_t)(p - start)};
    }
    *argc = n;
    return (long)(nl - in) + 1;
}

long resp_parse(const char *in, size_t len, resp_arg *argv, int *argc, const char **error) {
    if (len == 0)
        return 0;
    if (in[0] != '*')
        return parse_inline(in, len, argv, argc, error);
    long long count;
    long used = parse_line_number(in, len, &count);
    if (used <= 0) {
        if (used < 0)
            *error = "ERR Protocol error: invalid multibulk length";
        return used;
    }
    if (count > RESP_MAX_ARGS) {
        *error = "ERR Protocol error: too many arguments";
        return -1;
    }
    size_t at = (size_t)used;
    for (long long i = 0; i < count; i++) {
        if (at >= len)
            return 0;
        if (in[at] != '$') {
            *error = "ERR Protocol error: expected '$'";
            return -1;
        }
        long long bulk;
        long head = parse_line_number(in + at, len - at, &bulk);
        if (head < 0 || (head > 0 && (bulk < 0 || bulk > (long long)RESP_MAX_BULK))) {
            *error = "ERR Protocol error: invalid bulk length";
            return -1;
        }
        if (head == 0 || at + (size_t)head + (size_t)bulk + 2 > len)
            return 0;
        const char *data = in + at + head;
        if (data[bulk] != '\r' || data[bulk + 1] != '\n') {
            *error = "ERR Protocol error: bulk not ended by CRLF";
            return -1;
        }
        argv[i] = (resp_arg){data, (size_t)bulk};
        at += (size_t)head + (size_t)bulk + 2;
    }
    *argc = (int)(count > 0 ? count : 0);
    return (long)at;
}

size_t resp_format_int(char *out, int64_t n) { return resp_format_line(out, ':', n); }

size_t resp_format_line(char *out, char type, int64_t n) {
    char digits[24];
    size_t k = 0;
    uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    do {
        digits[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t len = 0;
    out[len++] = type;
    if (n < 0)
        out[len++] = '-';
    while (k)
        out[len++] = digits[--k];
    out[len++] = '\r';
    out[len++] = '\n';
    return len;
}

int resp_parse_int(const char *p, size_t len, int64_t *n) {
    if (len == 0 || len > 20)
        return 0;
    size_t i = 0;
    int negative = p[0] == '-';
    if (negative && len == 1)
        return 0;
    i += (size_t)negative;
    if (p[i] == '0' && len > i + 1)
        return 0;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (!isdigit((unsigned char)p[i]))
            return 0;
        uint64_t next = v * 10 + (uint64_t)(p[i] - '0');
        if (next / 10 != v)
            return 0;
        v = next;
    }
    if (v > (uint64_t)INT64_MAX + (uint64_t)negative)
        return 0;
    *n = negative ? (int64_t)(0 - v) : (int64_t)v;
    return 1;
}
