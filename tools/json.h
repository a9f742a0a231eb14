/*
 * json.h - a small JSON reader for `alox top`: parses a whole document
 * into a tree (objects keep their key order) with lookups by key and
 * index. Numbers keep their exact unsigned 64-bit value when they are
 * non-negative integers (counters), else a double.
 *
 * Thread-safety: a tree belongs to its caller.
 */
#ifndef ALOX_TOOL_JSON_H
#define ALOX_TOOL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum json_kind { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_kind;

typedef struct json {
    json_kind kind;
    bool boolean;
    double number;
    uint64_t integer;  /* exact value of a non-negative integer; else 0 */
    char *string;
    struct json *items; /* arrays and objects: count values */
    char **keys;        /* objects: count keys */
    size_t count;
} json;

/* Parses text; NULL with why in err on a syntax error. */
json *json_parse(const char *text, char *err, size_t err_size);
void json_free(json *j);

/* Lookups that tolerate NULL and wrong kinds (they return NULL / 0 / ""). */
const json *json_get(const json *object, const char *key);
const json *json_at(const json *array, size_t i);
size_t json_count(const json *array);
uint64_t json_u64(const json *j, const char *key);
double json_num(const json *j, const char *key);
const char *json_str(const json *j, const char *key);
bool json_bool(const json *j, const char *key);

#endif
