/* json.c - see json.h. A recursive descent parser over the whole text. */
#include "json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64 /* snapshots nest four deep */

typedef struct parser {
    const char *p;
    char *err;
    size_t err_size;
    int depth;
} parser;

static bool fail(parser *ps, const char *why) {
    if (ps->err[0] == '\0')
        snprintf(ps->err, ps->err_size, "%s near '%.20s'", why, ps->p);
    return false;
}

static void skip_space(parser *ps) {
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static bool parse_value(parser *ps, json *out);

static bool parse_string(parser *ps, char **out) {
    if (*ps->p != '"')
        return fail(ps, "expected a string");
    ps->p++;
    size_t cap = 16, n = 0;
    char *s = malloc(cap);
    if (!s)
        return fail(ps, "out of memory");
    for (;;) {
        char c = *ps->p++;
        if (c == '\0') {
            free(s);
            return fail(ps, "unterminated string");
        }
        if (c == '"')
            break;
        if (c == '\\') {
            char e = *ps->p++;
            switch (e) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': {
                unsigned v = 0;
                for (int i = 0; i < 4; i++) {
                    char h = *ps->p++;
                    if (!isxdigit((unsigned char)h)) {
                        free(s);
                        return fail(ps, "bad \\u escape");
                    }
                    v = v * 16 + (unsigned)(isdigit((unsigned char)h) ? h - '0' : (tolower(h) - 'a' + 10));
                }
                c = v < 0x80 ? (char)v : '?'; /* snapshots are ASCII */
                break;
            }
            case '"': case '\\': case '/': c = e; break;
            default: free(s); return fail(ps, "bad escape");
            }
        }
        if (n + 2 > cap) {
            char *t = realloc(s, cap *= 2);
            if (!t) {
                free(s);
                return fail(ps, "out of memory");
            }
            s = t;
        }
        s[n++] = c;
    }
    s[n] = '\0';
    *out = s;
    return true;
}

static bool push(parser *ps, json *container, json *value, char *key) {
    json *items = realloc(container->items, (container->count + 1) * sizeof *items);
    if (!items)
        return fail(ps, "out of memory");
    container->items = items;
    if (container->kind == JSON_OBJECT) {
        char **keys = realloc(container->keys, (container->count + 1) * sizeof *keys);
        if (!keys)
            return fail(ps, "out of memory");
        container->keys = keys;
        keys[container->count] = key;
    }
    items[container->count++] = *value;
    return true;
}

static bool parse_container(parser *ps, json *out, bool object) {
    char close = object ? '}' : ']';
    out->kind = object ? JSON_OBJECT : JSON_ARRAY;
    ps->p++;
    if (++ps->depth > JSON_MAX_DEPTH)
        return fail(ps, "nested too deep");
    skip_space(ps);
    if (*ps->p == close) {
        ps->p++;
        ps->depth--;
        return true;
    }
    for (;;) {
        char *key = NULL;
        skip_space(ps);
        if (object) {
            if (!parse_string(ps, &key))
                return false;
            skip_space(ps);
            if (*ps->p++ != ':') {
                free(key);
                return fail(ps, "expected ':'");
            }
        }
        json value;
        if (!parse_value(ps, &value) || !push(ps, out, &value, key)) {
            free(key);
            return false;
        }
        skip_space(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p++ != close)
            return fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
        ps->depth--;
        return true;
    }
}

static bool parse_value(parser *ps, json *out) {
    memset(out, 0, sizeof *out);
    skip_space(ps);
    char c = *ps->p;
    if (c == '{' || c == '[')
        return parse_container(ps, out, c == '{');
    if (c == '"') {
        out->kind = JSON_STRING;
        return parse_string(ps, &out->string);
    }
    if (strncmp(ps->p, "true", 4) == 0 || strncmp(ps->p, "false", 5) == 0) {
        out->kind = JSON_BOOL;
        out->boolean = c == 't';
        ps->p += out->boolean ? 4 : 5;
        return true;
    }
    if (strncmp(ps->p, "null", 4) == 0) {
        ps->p += 4;
        return true;
    }
    if (c == '-' || isdigit((unsigned char)c)) {
        char *end;
        out->kind = JSON_NUMBER;
        out->number = strtod(ps->p, &end);
        if (end == ps->p)
            return fail(ps, "bad number");
        if (c != '-' && strspn(ps->p, "0123456789") == (size_t)(end - ps->p))
            out->integer = strtoull(ps->p, NULL, 10);
        ps->p = end;
        return true;
    }
    return fail(ps, "unexpected character");
}

json *json_parse(const char *text, char *err, size_t err_size) {
    parser ps = {text, err, err_size, 0};
    err[0] = '\0';
    json *root = calloc(1, sizeof *root);
    if (!root) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    bool ok = parse_value(&ps, root);
    if (ok) {
        skip_space(&ps);
        if (*ps.p != '\0')
            ok = fail(&ps, "text after the document");
    }
    if (!ok) {
        json_free(root);
        return NULL;
    }
    return root;
}

static void free_inside(json *j) {
    for (size_t i = 0; i < j->count; i++) {
        free_inside(&j->items[i]);
        if (j->keys)
            free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->string);
}

void json_free(json *j) {
    if (!j)
        return;
    free_inside(j);
    free(j);
}

const json *json_get(const json *o, const char *key) {
    if (!o || o->kind != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < o->count; i++)
        if (o->keys[i] && strcmp(o->keys[i], key) == 0)
            return &o->items[i];
    return NULL;
}

const json *json_at(const json *a, size_t i) {
    return a && a->kind == JSON_ARRAY && i < a->count ? &a->items[i] : NULL;
}

size_t json_count(const json *a) { return a && a->kind == JSON_ARRAY ? a->count : 0; }

uint64_t json_u64(const json *j, const char *key) {
    const json *v = json_get(j, key);
    return v && v->kind == JSON_NUMBER ? v->integer : 0;
}

double json_num(const json *j, const char *key) {
    const json *v = json_get(j, key);
    return v && v->kind == JSON_NUMBER ? v->number : 0;
}

const char *json_str(const json *j, const char *key) {
    const json *v = json_get(j, key);
    return v && v->kind == JSON_STRING ? v->string : "";
}

bool json_bool(const json *j, const char *key) {
    const json *v = json_get(j, key);
    return v && v->kind == JSON_BOOL && v->boolean;
}
