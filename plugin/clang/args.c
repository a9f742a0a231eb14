/*
 * args.c - clang's command line as alox-clang sees it.
 *
 * alox-clang takes exactly clang's arguments. It needs to know three
 * things: which arguments are C sources it must look at (a .c or .i file,
 * or any file after `-x c` / `-x cpp-output`), what the invocation does
 * (preprocess only, compile, link), and which flags to hand libclang so it
 * parses a source exactly as the real compile will (no outputs, no -M*
 * files, no linker flags). Everything else is passed through to clang
 * unchanged, except `-fplugin=alox` (the GCC plugin's flag, which CMake's
 * Alox::alox target and pkg-config add): it is accepted and ignored.
 */
#include "alox-clang.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Options whose value is the next argument when spelled alone. */
static const char *const SEPARATE[] = {
    "-o", "-x", "-I", "-D", "-U", "-include", "-imacros", "-isystem", "-idirafter",
    "-iquote", "-iprefix", "-iwithprefix", "-iwithprefixbefore", "-isysroot",
    "-isystem-after", "-MF", "-MT", "-MQ", "-MJ", "-Xclang", "-Xlinker", "-Xassembler",
    "-Xpreprocessor", "-Xanalyzer", "-Xopenmp-target", "-L", "-l", "-T", "-u", "-z",
    "-target", "-arch", "--param", "-ivfsoverlay", "-include-pch", "-F",
    "-working-directory", "-resource-dir", "--sysroot", "-B", "-mllvm",
    "-serialize-diagnostics", "-dependency-file", "-dependency-dot", "-e",
    "-gcc-toolchain", "-cxx-isystem", "-ccc-install-dir", "--target", "-A",
    "-fmodule-file", "-Xarch_host", "-Xarch_device", NULL,
};

bool takes_separate_value(const char *opt) {
    for (const char *const *p = SEPARATE; *p; p++)
        if (strcmp(opt, *p) == 0)
            return true;
    return false;
}

/* The GCC plugin's flag: `-fplugin=alox` or a path to alox.so. */
static bool is_alox_plugin_flag(const char *arg) {
    if (strncmp(arg, "-fplugin=", 9) != 0)
        return false;
    const char *v = arg + 9;
    return strcmp(v, "alox") == 0 || strcmp(v, "alox.so") == 0 || has_suffix(v, "/alox.so");
}

typedef enum lang { LANG_AUTO, LANG_C, LANG_CPP_OUTPUT, LANG_OTHER } lang;

static lang lang_of_x(const char *value) {
    if (strcmp(value, "none") == 0)
        return LANG_AUTO;
    if (strcmp(value, "c") == 0)
        return LANG_C;
    if (strcmp(value, "cpp-output") == 0)
        return LANG_CPP_OUTPUT;
    return LANG_OTHER;
}

static lang lang_of_file(const char *path, lang forced) {
    if (forced != LANG_AUTO)
        return forced;
    if (has_suffix(path, ".c"))
        return LANG_C;
    if (has_suffix(path, ".i"))
        return LANG_CPP_OUTPUT;
    return LANG_OTHER;
}

/* Per argument: the -x language in force where it stands. */
static lang *languages;

void parse_invocation(invocation *inv, int argc, char **argv) {
    inv->argv = xmalloc(sizeof(char *) * (size_t)(argc + 1));
    inv->is_source = xmalloc(sizeof(bool) * (size_t)(argc + 1));
    languages = xmalloc(sizeof(lang) * (size_t)(argc + 1));
    inv->argc = 0;
    inv->mode = MODE_LINK;
    inv->caret = true;
    inv->color = isatty(2);
    bool preprocess = false, compile = false, other = false;
    lang forced = LANG_AUTO;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (is_alox_plugin_flag(a))
            continue; /* accepted and ignored: alox-clang is the front end */
        int k = inv->argc++;
        inv->argv[k] = argv[i];
        inv->is_source[k] = false;
        languages[k] = forced;
        if (a[0] == '-' && a[1]) {
            if (strcmp(a, "-E") == 0 || strcmp(a, "-M") == 0 || strcmp(a, "-MM") == 0)
                preprocess = true;
            else if (strcmp(a, "-c") == 0 || strcmp(a, "-S") == 0 ||
                     strcmp(a, "-fsyntax-only") == 0)
                compile = true;
            else if (strcmp(a, "-###") == 0 || strcmp(a, "--version") == 0 ||
                     strncmp(a, "-print-", 7) == 0 || strncmp(a, "-dump", 5) == 0 ||
                     strcmp(a, "--help") == 0)
                other = true;
            else if (strcmp(a, "-fno-caret-diagnostics") == 0)
                inv->caret = false;
            else if (strcmp(a, "-fcaret-diagnostics") == 0)
                inv->caret = true;
            else if (strcmp(a, "-fcolor-diagnostics") == 0 ||
                     strcmp(a, "-fdiagnostics-color") == 0 ||
                     strcmp(a, "-fdiagnostics-color=always") == 0)
                inv->color = true;
            else if (strcmp(a, "-fno-color-diagnostics") == 0 ||
                     strcmp(a, "-fno-diagnostics-color") == 0 ||
                     strcmp(a, "-fdiagnostics-color=never") == 0)
                inv->color = false;
            if (strncmp(a, "-x", 2) == 0) {
                const char *v = a[2] ? a + 2 : (i + 1 < argc ? argv[i + 1] : "none");
                forced = lang_of_x(v);
            }
            if (takes_separate_value(a) && i + 1 < argc) {
                k = inv->argc++;
                inv->argv[k] = argv[++i];
                inv->is_source[k] = false;
                languages[k] = forced;
            }
            continue;
        }
        lang l = strcmp(a, "-") == 0 ? LANG_OTHER : lang_of_file(a, forced);
        inv->is_source[k] = l == LANG_C || l == LANG_CPP_OUTPUT;
        languages[k] = l;
    }
    inv->argv[inv->argc] = NULL;
    if (other)
        inv->mode = MODE_OTHER;
    else if (preprocess)
        inv->mode = MODE_PREPROCESS;
    else if (compile)
        inv->mode = MODE_COMPILE;
}

/* Dropped for the parse, with their separate value if any. */
static bool drop_for_parse(const char *a, bool *skip_value) {
    static const char *const exact[] = {
        "-c", "-S", "-E", "-fsyntax-only", "-M", "-MM", "-MD", "-MMD", "-MG", "-MP", "-MV",
        "-shared", "-static", "-rdynamic", "-pie", "-no-pie", "-pipe", "-v", "-###",
        "-save-temps", "-nostartfiles", "-nodefaultlibs", "-nostdlib", "-emit-llvm", NULL};
    static const char *const with_value[] = {"-o", "-MF", "-MT", "-MQ", "-MJ", "-Xlinker",
                                             "-Xassembler", "-L", "-l", "-T", "-u", "-z",
                                             "-serialize-diagnostics", "-dependency-file",
                                             "-dependency-dot", "-e", "-x", NULL};
    static const char *const prefixes[] = {"-Wl,", "-Wa,", "-save-temps=", "-l", "-L",
                                           "-MF", "-MT", "-MQ", "-MJ", "-o", "-x", NULL};
    *skip_value = false;
    for (const char *const *p = exact; *p; p++)
        if (strcmp(a, *p) == 0)
            return true;
    for (const char *const *p = with_value; *p; p++)
        if (strcmp(a, *p) == 0) {
            *skip_value = true;
            return true;
        }
    for (const char *const *p = prefixes; *p; p++)
        if (strncmp(a, *p, strlen(*p)) == 0)
            return true;
    return false;
}

const char *source_language(int source) {
    return languages[source] == LANG_CPP_OUTPUT ? "cpp-output" : "c";
}

char **parse_flags(const invocation *inv, int source, int *count) {
    char **out = xmalloc(sizeof(char *) * (size_t)(inv->argc + 8));
    int n = 0;
    out[n++] = "clang";
    for (int i = 0; i < inv->argc; i++) {
        const char *a = inv->argv[i];
        if (a[0] != '-' || !a[1]) /* inputs: sources, objects, libraries */
            continue;
        bool skip_value;
        if (drop_for_parse(a, &skip_value)) {
            if (skip_value)
                i++;
            continue;
        }
        out[n++] = inv->argv[i];
        if (takes_separate_value(a) && i + 1 < inv->argc)
            out[n++] = inv->argv[++i];
    }
    out[n++] = "-D__ALOX__=1";
    out[n++] = "-Wno-unused-command-line-argument";
    out[n++] = "-x";
    out[n++] = (char *)source_language(source);
    out[n++] = inv->argv[source];
    out[n] = NULL;
    *count = n;
    return out;
}
