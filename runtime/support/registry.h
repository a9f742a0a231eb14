/*
 * registry.h - the actor types and behaviours known to this program, as
 * registered at load time by code the front ends emit (alox/abi.h).
 * Lookups by name serve alox_new without a front end, and later the
 * network (a message names its behaviour by hash).
 *
 * Thread-safety: all functions, any thread (one mutex; registration is a
 * load-time event and lookups are off the hot path).
 */
#ifndef ALOX_REGISTRY_H
#define ALOX_REGISTRY_H

#include <stdint.h>

#include "alox/abi.h"

/* The type whose tag is named by `spelled`, as alox_new's #T spells it
 * ("struct pinger", "pinger"), or NULL. */
const alox_type_desc *registry_type_by_spelling(const char *spelled);

const alox_type_desc *registry_type_by_hash(uint64_t name_hash);

const alox_behaviour_desc *registry_behaviour_by_hash(uint64_t name_hash);

#endif
