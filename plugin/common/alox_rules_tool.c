/*
 * alox-rules - the shared rule table, for the front-end tests.
 *
 *   alox-rules --list          every rule's name, one a line
 *   alox-rules --regex NAME    an extended regex matching that rule's
 *                              messages, as either front end words them
 *
 * tests/plugin/run.sh checks each negative case's expected messages
 * against the rules the case names (`// rule: NAME`), and that every rule
 * has a case: one table of cases, both front ends, one table of rules.
 */
#include <stdio.h>
#include <string.h>

#include "alox_rules.h"

static void put_literal(char c) {
    if (strchr("\\.[]()*+?{}|^$", c))
        putchar('\\');
    putchar(c);
}

static int regex_of(const char *name) {
    for (int r = 0; r < ALOX_RULE_COUNT; r++) {
        if (strcmp(alox_rule_name((alox_rule)r), name) != 0)
            continue;
        const char *t = alox_rule_template((alox_rule)r);
        putchar('^');
        while (*t) {
            if (*t == '`') {
                putchar('\'');
                t++;
            } else if (*t == '{' && t[1] >= 'a' && t[1] <= 'z' && strchr(t, '}')) {
                fputs(".*", stdout); /* a name or a type, as the front end spells it */
                t = strchr(t, '}') + 1;
            } else {
                put_literal(*t++);
            }
        }
        puts("$");
        return 0;
    }
    fprintf(stderr, "alox-rules: no rule named '%s'\n", name);
    return 2;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (int r = 0; r < ALOX_RULE_COUNT; r++)
            puts(alox_rule_name((alox_rule)r));
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--regex") == 0)
        return regex_of(argv[2]);
    fprintf(stderr, "usage: alox-rules --list | --regex NAME\n");
    return 2;
}
