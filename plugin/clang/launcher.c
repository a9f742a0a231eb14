/*
 * launcher.c - alox-clang, the command users run (CC=alox-clang).
 *
 * It decides, without loading libclang (about 50 ms of dynamic loading),
 * whether any source of this invocation could use Alox (detect.c):
 *   - no: exec clang with the user's arguments, untouched (only
 *     `-fplugin=alox`, the GCC plugin's flag, is dropped);
 *   - -E, -M, -MM: exec clang with -D__ALOX__=1 (the GCC plugin defines
 *     __ALOX__ in every unit too);
 *   - yes: exec alox-clang-rewrite (driver.c), installed beside it, which
 *     parses with libclang, checks, rewrites and compiles.
 * $ALOX_CLANG names the clang to run, $ALOX_CLANG_REWRITE the rewriter.
 * What the rewrite does, before and after: see driver.c.
 */
#include "alox-clang.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef ALOX_CLANG_PATH
#define ALOX_CLANG_PATH "clang"
#endif

static int exec_with(const char *program, const invocation *inv, const char *extra) {
    char **argv = xmalloc(sizeof(char *) * (size_t)(inv->argc + 3));
    int n = 0;
    argv[n++] = (char *)program;
    for (int i = 0; i < inv->argc; i++)
        argv[n++] = inv->argv[i];
    if (extra)
        argv[n++] = (char *)extra;
    argv[n] = NULL;
    execvp(program, argv);
    fprintf(stderr, "alox-clang: error: cannot run %s: %s\n", program, strerror(errno));
    return 127;
}

/* alox-clang-rewrite in the directory of this executable. */
static char *rewriter(void) {
    const char *env = getenv("ALOX_CLANG_REWRITE");
    if (env && *env)
        return xstrdup(env);
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return xstrdup("alox-clang-rewrite");
    self[n] = 0;
    char *slash = strrchr(self, '/');
    *slash = 0;
    strbuf p = {0};
    sb_printf(&p, "%s/alox-clang-rewrite", self);
    return p.data;
}

int main(int argc, char **argv) {
    invocation inv;
    parse_invocation(&inv, argc, argv);
    const char *env = getenv("ALOX_CLANG");
    const char *clang = env && *env ? env : ALOX_CLANG_PATH;
    if (inv.mode == MODE_PREPROCESS)
        return exec_with(clang, &inv, "-D__ALOX__=1");
    bool alox = false;
    if (inv.mode != MODE_OTHER)
        for (int i = 0; i < inv.argc && !alox; i++)
            alox = inv.is_source[i] && source_may_use_alox(&inv, i);
    if (!alox)
        return exec_with(clang, &inv, NULL);
    char *program = rewriter();
    char **full = xmalloc(sizeof(char *) * (size_t)(argc + 1));
    full[0] = program;
    for (int i = 1; i < argc; i++)
        full[i] = argv[i];
    full[argc] = NULL;
    execv(program, full);
    fprintf(stderr, "alox-clang: error: cannot run %s: %s\n", program, strerror(errno));
    return 127;
}
