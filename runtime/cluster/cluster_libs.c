/* cluster_libs.c - libcurl and Jansson through dlopen; see cluster_libs.h. */
#include "cluster_libs.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

cluster_curl_api cl_curl;
cluster_json_api cl_json;

/* What the tables' wrappers call: the variadic and the inline-only entry
 * points, which cannot be table members as they are. */
static CURLcode (*raw_easy_setopt)(CURL *h, CURLoption option, ...);
static CURLcode (*raw_easy_getinfo)(CURL *h, CURLINFO info, ...);
static json_t *(*raw_vpack_ex)(json_error_t *error, size_t flags, const char *format, va_list ap);
static void (*raw_json_delete)(json_t *json);

static CURLcode setopt_long(CURL *h, CURLoption option, long value) {
    return raw_easy_setopt(h, option, value);
}
static CURLcode setopt_str(CURL *h, CURLoption option, const char *value) {
    return raw_easy_setopt(h, option, value);
}
static CURLcode setopt_ptr(CURL *h, CURLoption option, void *value) {
    return raw_easy_setopt(h, option, value);
}
static CURLcode setopt_slist(CURL *h, CURLoption option, struct curl_slist *value) {
    return raw_easy_setopt(h, option, value);
}
static CURLcode setopt_write(CURL *h, CURLoption option, cluster_write_fn value) {
    return raw_easy_setopt(h, option, value);
}
static CURLcode getinfo_long(CURL *h, CURLINFO info, long *out) {
    return raw_easy_getinfo(h, info, out);
}

static json_t *pack(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    json_t *value = raw_vpack_ex(NULL, 0, format, ap);
    va_end(ap);
    return value;
}

/* jansson.h's inline json_decref, with json_delete from the table. */
static void decref(json_t *json) {
    if (json && json->refcount != (size_t)-1 && JSON_INTERNAL_DECREF(json) == 0)
        raw_json_delete(json);
}

/* A symbol of a library, stored into a function pointer (POSIX: a
 * dlsym result converts to a function pointer; memcpy says so without
 * the object-to-function cast ISO C warns about). */
typedef struct symbol {
    const char *name;
    void *slot; /* address of the function pointer to fill */
} symbol;

_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "dlsym results fit function pointers");

static bool open_library(const char *soname, const char *package, const symbol *symbols,
                         size_t count, char *why, size_t why_size) {
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(why, why_size,
                 "--alox-cluster needs %s (on Debian: apt-get install %s), which cannot be "
                 "loaded: %s",
                 soname, package, dlerror());
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        void *address = dlsym(lib, symbols[i].name);
        if (!address) {
            snprintf(why, why_size,
                     "--alox-cluster: %s has no %s (too old? on Debian: apt-get install %s)",
                     soname, symbols[i].name, package);
            return false; /* lib stays open: it may already be in use elsewhere */
        }
        memcpy(symbols[i].slot, &address, sizeof address);
    }
    return true;
}

static bool load_curl(char *why, size_t why_size) {
    const symbol symbols[] = {
        {"curl_global_init", &cl_curl.global_init},
        {"curl_easy_init", &cl_curl.easy_init},
        {"curl_easy_cleanup", &cl_curl.easy_cleanup},
        {"curl_easy_reset", &cl_curl.easy_reset},
        {"curl_easy_perform", &cl_curl.easy_perform},
        {"curl_easy_strerror", &cl_curl.easy_strerror},
        {"curl_easy_setopt", &raw_easy_setopt},
        {"curl_easy_getinfo", &raw_easy_getinfo},
        {"curl_slist_append", &cl_curl.slist_append},
        {"curl_slist_free_all", &cl_curl.slist_free_all},
        {"curl_multi_init", &cl_curl.multi_init},
        {"curl_multi_cleanup", &cl_curl.multi_cleanup},
        {"curl_multi_add_handle", &cl_curl.multi_add_handle},
        {"curl_multi_remove_handle", &cl_curl.multi_remove_handle},
        {"curl_multi_perform", &cl_curl.multi_perform},
        {"curl_multi_info_read", &cl_curl.multi_info_read},
        {"curl_multi_poll", &cl_curl.multi_poll},
        {"curl_multi_wakeup", &cl_curl.multi_wakeup},
    };
    if (!open_library(CLUSTER_LIBCURL_SONAME, CLUSTER_LIBCURL_PACKAGE, symbols,
                      sizeof symbols / sizeof symbols[0], why, why_size))
        return false;
    cl_curl.setopt_long = setopt_long;
    cl_curl.setopt_str = setopt_str;
    cl_curl.setopt_ptr = setopt_ptr;
    cl_curl.setopt_slist = setopt_slist;
    cl_curl.setopt_write = setopt_write;
    cl_curl.getinfo_long = getinfo_long;
    return true;
}

static bool load_jansson(char *why, size_t why_size) {
    const symbol symbols[] = {
        {"json_vpack_ex", &raw_vpack_ex},
        {"json_delete", &raw_json_delete},
        {"json_string", &cl_json.string},
        {"json_string_value", &cl_json.string_value},
        {"json_integer_value", &cl_json.integer_value},
        {"json_object_get", &cl_json.object_get},
        {"json_object_set_new", &cl_json.object_set_new},
        {"json_array_size", &cl_json.array_size},
        {"json_array_get", &cl_json.array_get},
        {"json_dumps", &cl_json.dumps},
        {"json_loadb", &cl_json.loadb},
    };
    if (!open_library(CLUSTER_JANSSON_SONAME, CLUSTER_JANSSON_PACKAGE, symbols,
                      sizeof symbols / sizeof symbols[0], why, why_size))
        return false;
    cl_json.pack = pack;
    cl_json.decref = decref;
    return true;
}

/* Written once inside pthread_once (which orders it before every return
 * of cluster_libs_load), read after. */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static bool loaded;
static char load_error[512];

static void load(void) {
    loaded = load_curl(load_error, sizeof load_error) &&
             load_jansson(load_error, sizeof load_error);
}

bool cluster_libs_load(char *why, size_t why_size) {
    pthread_once(&load_once, load);
    if (!loaded)
        snprintf(why, why_size, "%s", load_error);
    return loaded;
}
