/*
 * cluster_libs.h - libcurl and Jansson, loaded with dlopen only when a
 * program uses cluster membership.
 *
 * libalox is not linked with either library: loading them (and libcurl's
 * own dependencies: TLS, HTTP/2, SSH, LDAP, ...) at every program's
 * start-up cost ~16M instructions and ~5.7 MB of RSS, for a feature only
 * --alox-cluster uses. cluster_libs_load opens "libcurl.so.4" and
 * "libjansson.so.4" (the sonames the headers we compile against belong
 * to) and fills two tables, cl_curl and cl_json, with the functions
 * cluster/ calls. The headers still give every type, constant and
 * type-only macro (json_is_object, JSON_COMPACT, CURLOPT_*); what they
 * give as code is replaced here:
 *   - json_decref (inline, calls json_delete): cl_json.decref;
 *   - json_pack (variadic): cl_json.pack, over json_vpack_ex;
 *   - json_array_foreach (calls json_array_size/get): write the loop
 *     with cl_json.array_size / cl_json.array_get;
 *   - curl_easy_setopt (variadic, and a type-checking macro in GCC): one
 *     typed setter per kind of value, cl_curl.setopt_long / _str / _ptr /
 *     _slist / _write.
 * Nothing in cluster/ may call a curl_* or json_* function by its own
 * name: libalox would then have an undefined symbol of theirs (the test
 * plugin.pkgconfig fails if libalox.so has one, or if a program without
 * --alox-cluster maps either library).
 *
 * Thread-safety: cluster_libs_load may be called from any thread, any
 * number of times (pthread_once); the tables are written once inside it
 * and only read after it returned true, so a caller that saw true reads
 * them race-free. The libraries are never closed (libcurl's global state
 * lives until exit, and membership_stop runs from atexit).
 */
#ifndef ALOX_CLUSTER_LIBS_H
#define ALOX_CLUSTER_LIBS_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The sonames, and the Debian packages that install them (the message a
 * program without them stops with names the package). */
#define CLUSTER_LIBCURL_SONAME "libcurl.so.4"
#define CLUSTER_LIBCURL_PACKAGE "libcurl4"
#define CLUSTER_JANSSON_SONAME "libjansson.so.4"
#define CLUSTER_JANSSON_PACKAGE "libjansson4"

typedef size_t (*cluster_write_fn)(char *data, size_t one, size_t count, void *context);

typedef struct cluster_curl_api {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *h);
    void (*easy_reset)(CURL *h);
    CURLcode (*easy_perform)(CURL *h);
    const char *(*easy_strerror)(CURLcode rc);
    CURLcode (*getinfo_long)(CURL *h, CURLINFO info, long *out);
    CURLcode (*setopt_long)(CURL *h, CURLoption option, long value);
    CURLcode (*setopt_str)(CURL *h, CURLoption option, const char *value);
    CURLcode (*setopt_ptr)(CURL *h, CURLoption option, void *value);
    CURLcode (*setopt_slist)(CURL *h, CURLoption option, struct curl_slist *value);
    CURLcode (*setopt_write)(CURL *h, CURLoption option, cluster_write_fn value);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
    void (*slist_free_all)(struct curl_slist *list);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *m);
    CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
    CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
    CURLMcode (*multi_perform)(CURLM *m, int *running);
    CURLMsg *(*multi_info_read)(CURLM *m, int *left);
    CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd extra[], unsigned count, int timeout_ms,
                            int *ready);
    CURLMcode (*multi_wakeup)(CURLM *m);
} cluster_curl_api;

typedef struct cluster_json_api {
    json_t *(*pack)(const char *format, ...);
    void (*decref)(json_t *json);
    json_t *(*string)(const char *text);
    const char *(*string_value)(const json_t *json);
    json_int_t (*integer_value)(const json_t *json);
    json_t *(*object_get)(const json_t *object, const char *key);
    int (*object_set_new)(json_t *object, const char *key, json_t *value);
    size_t (*array_size)(const json_t *array);
    json_t *(*array_get)(const json_t *array, size_t index);
    char *(*dumps)(const json_t *json, size_t flags);
    json_t *(*loadb)(const char *buffer, size_t length, size_t flags, json_error_t *error);
} cluster_json_api;

/* Valid only after cluster_libs_load returned true. */
extern cluster_curl_api cl_curl;
extern cluster_json_api cl_json;

/* Opens both libraries (once per process) and fills the tables. False if
 * one is missing or lacks a function: why then says which library, which
 * Debian package installs it, and dlerror's words. */
bool cluster_libs_load(char *why, size_t why_size);

#endif
