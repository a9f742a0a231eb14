/*
 * driver.c - alox-clang: the Alox front end for clang, a drop-in compiler.
 *
 *     CC=alox-clang make        alox-clang -O2 -c app.c        (same flags as clang)
 *
 * libclang (clang's stable C API) parses and checks but cannot generate
 * code, so alox-clang parses each C source with libclang (the user's
 * flags plus -D__ALOX__=1), enforces the compile-time rules (README.md) with
 * the GCC plugin's wording, rewrites the source text, and has clang
 * compile the rewritten text. The result has exactly the ABI of the GCC
 * plugin (include/alox/abi.h): objects of both front ends link together.
 *
 * Before (what the user writes):
 *
 *     struct alox_actor pinger { int64_t hits; };
 *     alox_behave void ping(struct pinger *self, int32_t n, struct ponger *to) {
 *         self->hits++;
 *         if (n > 0) pong(to, n - 1, self);
 *     }
 *     ...
 *     struct pinger *a = alox_new(struct pinger);
 *     ping(a, 1000, b);
 *
 * After (what clang compiles; generated blocks elided, see emit.c):
 *
 *     [before ping's definition: struct __alox_args_pong { __typeof__(int32_t) a1;
 *      __typeof__(struct pinger *) a2; }; and the always-inline stub
 *      static void __alox_send_pong(struct ponger *self, int32_t a1, struct pinger *a2)
 *      { struct __alox_args_pong args = { a1, a2 };
 *        alox_send(self, &__alox_behaviour_pong, &args); }
 *      then #line 2 "app.c"]
 *     alox_behave void ping(struct pinger *self, int32_t n, struct ponger *to) {
 *         self->hits++;
 *         if (n > 0) __alox_send_pong(to, n - 1, self);       a send: returns at once
 *     }
 *     ...
 *     struct pinger *a = __ALOX_SPAWN_pinger(struct pinger);  alox_spawn(&__alox_type_pinger)
 *     __alox_send_ping(a, 1000, b);
 *     [at the end: static void __alox_tramp_ping(void *self, const void *args)
 *      { ... (ping)(self, p->a1, p->a2); }     the only direct call left;
 *      const alox_behaviour_desc __alox_behaviour_ping = { 1, 16, 8, 1, "pinger.ping",
 *      "(i32,@ponger)", <FNV-1a hashes>, __alox_tramp_ping, __alox_refs_ping };
 *      weak const alox_type_desc __alox_type_pinger = {...};
 *      constructors: priority 101 registers types, 102 behaviours]
 *
 * The rewritten copies live in a private temporary directory and reach
 * clang through a VFS overlay (-ivfsoverlay) under the original paths, so
 * diagnostics, __FILE__, -MD dependencies, debug info and #include "..."
 * all see the user's files; #line keeps every line number.
 *
 * Diagnostics: a rewritten unit's warnings come from the libclang parse of
 * the user's own text (same clang, same flags), printed as clang prints
 * them (line, column, the user's line, ranges, notes, fix-its); the
 * compile of the rewritten copy keeps only back-end warnings, whose lines
 * #line keeps right.
 *
 * A source without Alox is compiled by clang untouched (exec, same
 * arguments). `-fplugin=alox` (the GCC plugin's flag, added by CMake's
 * Alox::alox target and by pkg-config) is accepted and ignored. -E and
 * -M/-MM only preprocess: they run clang with -D__ALOX__=1, as the GCC
 * plugin defines __ALOX__. The clang run is $ALOX_CLANG if set, else the
 * clang this front end was built with.
 *
 * Files (one concept each): see alox-clang.h.
 */
#include "alox-clang.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef ALOX_CLANG_PATH
#define ALOX_CLANG_PATH "clang"
#endif

static const char *clang_path(void) {
    const char *env = getenv("ALOX_CLANG");
    return env && *env ? env : ALOX_CLANG_PATH;
}

/* ----- argument vectors ------------------------------------------------ */

typedef struct argv_t {
    char **v;
    int n, cap;
} argv_t;

static void push(argv_t *a, const char *arg) {
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 32;
        a->v = xrealloc(a->v, sizeof(char *) * (size_t)a->cap);
    }
    a->v[a->n++] = (char *)arg;
    a->v[a->n] = NULL;
}

static int run(argv_t *a) {
    if (getenv("ALOX_CLANG_VERBOSE")) {
        for (int i = 0; i < a->n; i++)
            fprintf(stderr, "%s%s", i ? " " : "", a->v[i]);
        fputc('\n', stderr);
    }
    pid_t pid = fork();
    if (pid < 0) {
        fatal_error("cannot start %s: %s", a->v[0], strerror(errno));
        return 1;
    }
    if (pid == 0) {
        execvp(a->v[0], a->v);
        fprintf(stderr, "alox-clang: error: cannot run %s: %s\n", a->v[0], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 1;
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

static int exec_clang(argv_t *a) {
    execvp(a->v[0], a->v);
    fprintf(stderr, "alox-clang: error: cannot run %s: %s\n", a->v[0], strerror(errno));
    return 127;
}

/* clang with the user's arguments (without -fplugin=alox). */
static void user_args(argv_t *a, const invocation *inv) {
    push(a, clang_path());
    for (int i = 0; i < inv->argc; i++)
        push(a, inv->argv[i]);
}

/* ----- temporary directory ---------------------------------------------- */

static char *tmpdir;

static void remove_tree(const char *path) {
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            strbuf sub = {0};
            sb_printf(&sub, "%s/%s", path, e->d_name);
            remove_tree(sub.data);
            sb_free(&sub);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void cleanup(void) {
    if (!tmpdir)
        return;
    if (getenv("ALOX_CLANG_KEEP"))
        fprintf(stderr, "alox-clang: rewritten sources kept in %s\n", tmpdir);
    else
        remove_tree(tmpdir);
    free(tmpdir);
    tmpdir = NULL;
}

static const char *make_tmpdir(void) {
    if (tmpdir)
        return tmpdir;
    const char *base = getenv("TMPDIR");
    strbuf t = {0};
    sb_printf(&t, "%s/alox-clang-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(t.data)) {
        fatal_error("cannot create a temporary directory %s: %s", t.data, strerror(errno));
        sb_free(&t);
        return NULL;
    }
    tmpdir = t.data;
    return tmpdir;
}

/* ----- several sources, some rewritten ----------------------------------- */

static bool has_output(const invocation *inv) {
    for (int i = 0; i < inv->argc; i++)
        if (strcmp(inv->argv[i], "-o") == 0 || (strncmp(inv->argv[i], "-o", 2) == 0 &&
                                                 inv->argv[i][2]))
            return true;
    return false;
}

/* A rewritten unit's front-end warnings were reported from the parse of
 * the user's own text (unit.c): compiled again from the rewritten copy,
 * they would quote that copy, at shifted columns. So that compile keeps
 * only the warnings of clang's back end, which the parse cannot see. */
static const char *const BACKEND_WARNINGS[] = {
    "attribute-warning", "backend-plugin", "frame-larger-than", "inline-asm",
    "misexpect", "pass-failed", NULL,
};

static void frontend_warnings_off(argv_t *a, const invocation *inv) {
    push(a, "-Wno-everything");
    for (const char *const *w = BACKEND_WARNINGS; *w; w++) {
        strbuf off = {0};
        sb_printf(&off, "-Wno-%s", *w);
        bool disabled = false, given = false;
        for (int i = 0; i < inv->argc; i++) {
            const char *arg = inv->argv[i];
            disabled |= strcmp(arg, off.data) == 0 || strcmp(arg, "-w") == 0;
            given |= strncmp(arg, "-W", 2) == 0 && strncmp(arg + 2, *w, strlen(*w)) == 0;
        }
        sb_free(&off);
        if (disabled)
            continue;
        if (given) { /* the user's own spelling: -Wframe-larger-than=4096 */
            for (int i = 0; i < inv->argc; i++)
                if (strncmp(inv->argv[i], "-W", 2) == 0 &&
                    strncmp(inv->argv[i] + 2, *w, strlen(*w)) == 0)
                    push(a, inv->argv[i]);
        } else if (strcmp(*w, "frame-larger-than") != 0 && strcmp(*w, "misexpect") != 0) {
            strbuf on = {0}; /* on by default in clang */
            sb_printf(&on, "-W%s", *w);
            push(a, on.data); /* leaked: lives until exec */
        }
    }
}

/* clang on one source: the flags, the overlay, `-x LANG SRC`; in link
 * mode compiled with -c into `object`. */
static int compile_one(const invocation *inv, int source, const char *overlay,
                       const char *object) {
    argv_t a = {0};
    push(&a, clang_path());
    for (int i = 0; i < inv->argc; i++) {
        const char *arg = inv->argv[i];
        if (arg[0] != '-' || !arg[1])
            continue; /* inputs */
        bool x = strcmp(arg, "-x") == 0, o = strcmp(arg, "-o") == 0;
        if (x || (o && object)) {
            i++;
            continue;
        }
        if (strncmp(arg, "-x", 2) == 0 || (object && strncmp(arg, "-o", 2) == 0))
            continue;
        push(&a, arg);
        if (takes_separate_value(arg) && i + 1 < inv->argc)
            push(&a, inv->argv[++i]);
    }
    push(&a, "-D__ALOX__=1");
    push(&a, "-Wno-unused-command-line-argument");
    if (overlay) {
        frontend_warnings_off(&a, inv);
        push(&a, "-ivfsoverlay");
        push(&a, overlay);
    }
    if (object) {
        push(&a, "-c");
        push(&a, "-o");
        push(&a, object);
    }
    push(&a, "-x");
    push(&a, source_language(source));
    push(&a, inv->argv[source]);
    int rc = run(&a);
    free(a.v);
    return rc;
}

static int compile_split(const invocation *inv, char **overlays) {
    int rc = 0;
    char **objects = xmalloc(sizeof(char *) * (size_t)inv->argc);
    for (int i = 0; i < inv->argc; i++) {
        objects[i] = NULL;
        if (!inv->is_source[i])
            continue;
        if (inv->mode == MODE_LINK) {
            strbuf o = {0};
            sb_printf(&o, "%s/%d.o", make_tmpdir(), i);
            objects[i] = o.data;
        }
        int r = compile_one(inv, i, overlays[i], objects[i]);
        if (r && !rc)
            rc = r;
    }
    if (inv->mode == MODE_LINK && rc == 0) {
        argv_t a = {0};
        push(&a, clang_path());
        for (int i = 0; i < inv->argc; i++) {
            const char *arg = inv->argv[i];
            if (strcmp(arg, "-x") == 0) {
                i++;
                continue;
            }
            if (strncmp(arg, "-x", 2) == 0)
                continue;
            push(&a, objects[i] ? objects[i] : arg);
        }
        rc = run(&a);
        free(a.v);
    }
    for (int i = 0; i < inv->argc; i++)
        free(objects[i]);
    free(objects);
    return rc;
}

/* ----- main ------------------------------------------------------------- */

int main(int argc, char **argv) {
    invocation inv;
    parse_invocation(&inv, argc, argv);
    diag_setup(&inv);
    argv_t a = {0};
    int sources = 0;
    for (int i = 0; i < inv.argc; i++)
        sources += inv.is_source[i];
    if (inv.mode == MODE_PREPROCESS) {
        user_args(&a, &inv);
        push(&a, "-D__ALOX__=1");
        return exec_clang(&a);
    }
    if (inv.mode == MODE_OTHER || sources == 0) {
        user_args(&a, &inv);
        return exec_clang(&a);
    }

    CXIndex index = clang_createIndex(0, 0);
    char **overlays = xmalloc(sizeof(char *) * (size_t)inv.argc);
    int rewritten = 0, failed = 0;
    for (int i = 0; i < inv.argc; i++) {
        overlays[i] = NULL;
        if (!inv.is_source[i])
            continue;
        const char *dir = make_tmpdir();
        if (!dir) {
            failed++;
            break;
        }
        unit_result r = process_unit(index, &inv, i, dir, &overlays[i]);
        rewritten += r == UNIT_REWRITTEN;
        failed += r == UNIT_FAILED;
    }
    clang_disposeIndex(index);
    int rc;
    print_error_summary(); /* of the warnings and errors reported here */
    if (failed) {
        rc = 1;
    } else if (!rewritten) {
        cleanup();
        user_args(&a, &inv);
        return exec_clang(&a); /* no Alox here: clang, untouched */
    } else if (sources == 1 || (inv.mode == MODE_COMPILE && has_output(&inv))) {
        user_args(&a, &inv);
        push(&a, "-D__ALOX__=1");
        frontend_warnings_off(&a, &inv); /* every source here is rewritten */
        for (int i = 0; i < inv.argc; i++)
            if (overlays[i]) {
                push(&a, "-ivfsoverlay");
                push(&a, overlays[i]);
            }
        rc = run(&a);
    } else {
        rc = compile_split(&inv, overlays);
    }
    for (int i = 0; i < inv.argc; i++)
        free(overlays[i]);
    free(overlays);
    free(a.v);
    cleanup();
    return rc;
}
