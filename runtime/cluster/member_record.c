/* member_record.c - member records as JSON (Jansson); see member_record.h. */
#include "member_record.h"

#include "cluster_libs.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void member_prefix(const char *cluster, char *out, size_t out_size) {
    snprintf(out, out_size, "/alox/%s/members/", cluster);
}

char *member_record_encode(const member_record *r) {
    char unused[256];
    if (!cluster_libs_load(unused, sizeof unused)) /* membership_start said why */
        return NULL;
    char incarnation[24];
    snprintf(incarnation, sizeof incarnation, "%" PRIu64, r->incarnation);
    json_t *o = cl_json.pack("{s:s,s:s,s:s,s:s}", "name", r->name, "address", r->address, "key",
                          r->key_z85, "incarnation", incarnation);
    char *text = o ? cl_json.dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    cl_json.decref(o);
    return text;
}

static bool copy_field(json_t *o, const char *field, char *out, size_t out_size, char *why,
                       size_t why_size) {
    const char *text = cl_json.string_value(cl_json.object_get(o, field));
    if (!text || strlen(text) >= out_size || text[0] == '\0') {
        snprintf(why, why_size, "no valid \"%s\" field", field);
        return false;
    }
    memcpy(out, text, strlen(text) + 1);
    return true;
}

bool member_record_decode(const char *json, size_t size, member_record *out, char *why,
                          size_t why_size) {
    memset(out, 0, sizeof *out);
    if (!cluster_libs_load(why, why_size))
        return false;
    json_error_t error;
    json_t *o = cl_json.loadb(json, size, 0, &error);
    if (!json_is_object(o)) {
        snprintf(why, why_size, "not a JSON object (%s)", o ? "another JSON value" : error.text);
        cl_json.decref(o);
        return false;
    }
    char incarnation[24];
    bool ok = copy_field(o, "name", out->name, sizeof out->name, why, why_size) &&
              copy_field(o, "address", out->address, sizeof out->address, why, why_size) &&
              copy_field(o, "key", out->key_z85, sizeof out->key_z85, why, why_size) &&
              copy_field(o, "incarnation", incarnation, sizeof incarnation, why, why_size);
    cl_json.decref(o);
    if (!ok)
        return false;
    char *end;
    out->incarnation = strtoull(incarnation, &end, 10);
    if (*end != '\0' || out->incarnation == 0) {
        snprintf(why, why_size, "the incarnation '%s' is not a positive number", incarnation);
        return false;
    }
    if (!keys_name_valid(out->name)) {
        snprintf(why, why_size, "'%s' is not a node name", out->name);
        return false;
    }
    if (!keys_z85_valid(out->key_z85, NULL)) {
        snprintf(why, why_size, "the key of '%s' is not a Z85 public key", out->name);
        return false;
    }
    if (strncmp(out->address, "tcp://", 6) != 0) {
        snprintf(why, why_size, "the address of '%s' is not tcp://HOST:PORT", out->name);
        return false;
    }
    return true;
}

bool member_record_check(const member_record *r, const alox_trust *trust, char *why,
                         size_t why_size) {
    const trust_entry *e = trust_find_name(trust, r->name);
    if (!e) {
        snprintf(why, why_size, "'%s' (key %s) is not in the trust file %s", r->name, r->key_z85,
                 trust->path);
        return false;
    }
    if (strcmp(e->public_z85, r->key_z85) != 0) {
        snprintf(why, why_size,
                 "its key %s is not the key the trust file %s gives '%s' (line %u)", r->key_z85,
                 trust->path, r->name, e->line);
        return false;
    }
    return true;
}
