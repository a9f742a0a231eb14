/*
 * alox - the Alox command: key pairs and trust lines for distribution.
 *
 *     alox keygen [--force] DIR NAME
 *     alox trust-line FILE.pub [NAME]
 *     alox help
 *
 * Exit status: 0 done, 1 failed (e.g. the key exists, a file cannot be
 * written or read), 2 bad usage.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "security/keys.h"

static const char usage_text[] =
    "usage: alox keygen [--force] DIR NAME\n"
    "       alox trust-line FILE.pub [NAME]\n"
    "       alox help\n";

static const char help_text[] =
    "alox - the Alox command: keys and trust files for distributed actor systems\n"
    "\n"
    "Usage:\n"
    "  alox keygen [--force] DIR NAME\n"
    "      Make a CurveZMQ key pair for the node NAME and write\n"
    "        DIR/NAME.key   the secret key: one Z85 line, mode 0600\n"
    "        DIR/NAME.pub   the public key: one Z85 line, mode 0644\n"
    "      (DIR is created, mode 0700, if it does not exist). Prints both paths,\n"
    "      the public key, and the trust-file line to give to the other nodes.\n"
    "      An existing DIR/NAME.key or DIR/NAME.pub is never overwritten unless\n"
    "      --force is given. NAME: 1 to 64 of A-Z a-z 0-9 _ . -\n"
    "\n"
    "  alox trust-line FILE.pub [NAME]\n"
    "      Print the trust-file line 'NAME KEY' for a public key file. NAME\n"
    "      defaults to the file name without its directory and .pub ending.\n"
    "\n"
    "  alox help, alox --help, alox -h\n"
    "      This text.\n"
    "\n"
    "Trust file:\n"
    "  One admitted node per line, NAME and its Z85 public key (40 characters)\n"
    "  separated by blanks:\n"
    "      # nodes of the farm\n"
    "      a   rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n"
    "      b   Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID\n"
    "  Blank lines and lines starting with # are ignored, and so is a '# ...'\n"
    "  after the key. A name or a key given twice is an error, and so are two\n"
    "  names with the same node id (the low 16 bits of the name's FNV-1a hash):\n"
    "  rename one of them. One trust file may be shared by all nodes: a node\n"
    "  may be listed in its own trust file, with its own public key.\n"
    "  Only nodes whose public key is in the trust file can connect.\n"
    "\n"
    "Flags read by alox_init (each also an environment variable; the flag wins):\n"
    "  --alox-threads N                  ALOX_THREADS  worker threads, 1..1024\n"
    "                                                  (default: one per CPU)\n"
    "  --alox-node NAME                  ALOX_NODE     this node's name; without it\n"
    "                                                  the program is one local\n"
    "                                                  scheduler and the flags below\n"
    "                                                  are errors\n"
    "  --alox-listen tcp://HOST:PORT     ALOX_LISTEN   accept peers there; HOST is\n"
    "                                                  an IPv4 address, [IPv6], a\n"
    "                                                  name, or * (all interfaces)\n"
    "  --alox-peer NAME=tcp://HOST:PORT  ALOX_PEER     connect to node NAME there;\n"
    "                                                  repeatable; the variable is a\n"
    "                                                  comma-separated list (not read\n"
    "                                                  if any --alox-peer is given).\n"
    "                                                  NAME must be in the trust file\n"
    "  --alox-key FILE                   ALOX_KEY      this node's secret key (from\n"
    "                                                  alox keygen); its public key\n"
    "                                                  is beside it: FILE with .key\n"
    "                                                  replaced by .pub\n"
    "  --alox-trust FILE                 ALOX_TRUST    the trust file\n"
    "  Also written --alox-node=NAME. alox_init removes these flags from argv.\n"
    "  With --alox-node, --alox-key and --alox-trust are required. PORT is a\n"
    "  number from 1 to 65535.\n"
    "\n"
    "Exit status:\n"
    "  alox: 0 done, 1 failed (key exists, file not writable or not a valid key),\n"
    "        2 bad usage (unknown subcommand, wrong arguments, bad NAME).\n"
    "  Programs: alox_init exits with 2 and one line on stderr naming the flag\n"
    "  or variable (and the file) on a bad value, a missing or bad key or trust\n"
    "  file, a key pair that does not match, a peer not in the trust file, or\n"
    "  a listen port that cannot be bound.\n"
    "\n"
    "Example, two nodes on one machine:\n"
    "  alox keygen keys a && alox keygen keys b\n"
    "  { alox trust-line keys/a.pub; alox trust-line keys/b.pub; } > trust.txt\n"
    "  ./app --alox-node a --alox-listen tcp://127.0.0.1:7001 \\\n"
    "        --alox-key keys/a.key --alox-trust trust.txt\n"
    "  ./app --alox-node b --alox-peer a=tcp://127.0.0.1:7001 \\\n"
    "        --alox-key keys/b.key --alox-trust trust.txt\n";

static int usage(void) {
    fputs(usage_text, stderr);
    fputs("Run 'alox help' for more.\n", stderr);
    return 2;
}

static int cmd_keygen(int argc, char **argv) {
    bool force = false;
    const char *args[2];
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--force") == 0 || strcmp(argv[i], "-f") == 0)
            force = true;
        else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "alox keygen: unknown option %s\n", argv[i]);
            return usage();
        } else if (n < 2)
            args[n++] = argv[i];
        else {
            fprintf(stderr, "alox keygen: too many arguments\n");
            return usage();
        }
    }
    if (n != 2) {
        fprintf(stderr, "alox keygen: needs DIR and NAME\n");
        return usage();
    }
    const char *dir = args[0], *name = args[1];
    if (!keys_name_valid(name)) {
        fprintf(stderr, "alox keygen: bad node name '%s': use 1 to %d of A-Z a-z 0-9 _ . -\n",
                name, KEYS_NAME_MAX);
        return 2;
    }
    alox_keys k;
    char err[1024];
    if (!keys_generate(dir, name, force, &k, err, sizeof err)) {
        fprintf(stderr, "alox keygen: %s%s\n", err,
                strstr(err, "exists already") ? " (remove it first, or use --force to replace it)"
                                              : "");
        return 1;
    }
    int dir_len = (int)strlen(dir);
    while (dir_len > 1 && dir[dir_len - 1] == '/')
        dir_len--;
    const char *sep = dir_len == 1 && dir[0] == '/' ? "" : "/";
    printf("secret key file: %.*s%s%s.key (mode 0600: keep it on this node only)\n", dir_len, dir,
           sep, name);
    printf("public key file: %.*s%s%s.pub\n", dir_len, dir, sep, name);
    printf("public key: %s\n", k.public_z85);
    printf("trust-file line for the other nodes:\n%s %s\n", name, k.public_z85);
    explicit_bzero(&k, sizeof k);
    return 0;
}

static int cmd_trust_line(int argc, char **argv) {
    if (argc < 1 || argc > 2) {
        fprintf(stderr, "alox trust-line: needs FILE.pub and optionally NAME\n");
        return usage();
    }
    const char *path = argv[0];
    char name[KEYS_NAME_MAX + 16];
    if (argc == 2) {
        snprintf(name, sizeof name, "%s", argv[1]);
        if (!keys_name_valid(argv[1])) {
            fprintf(stderr, "alox trust-line: bad node name '%s': use 1 to %d of A-Z a-z 0-9 _ . -\n",
                    argv[1], KEYS_NAME_MAX);
            return 2;
        }
    } else {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        size_t n = strlen(base);
        if (n > 4 && strcmp(base + n - 4, ".pub") == 0)
            n -= 4;
        if (n > KEYS_NAME_MAX) {
            fprintf(stderr, "alox trust-line: cannot take a node name from %s: give NAME\n", path);
            return 2;
        }
        memcpy(name, base, n);
        name[n] = '\0';
        if (!keys_name_valid(name)) {
            fprintf(stderr,
                    "alox trust-line: '%s' (from %s) is not a node name: give NAME "
                    "(1 to %d of A-Z a-z 0-9 _ . -)\n",
                    name, path, KEYS_NAME_MAX);
            return 2;
        }
    }
    char pub[KEYS_Z85_LEN + 1];
    char err[1024];
    if (!keys_load_public(path, pub, NULL, err, sizeof err)) {
        fprintf(stderr, "alox trust-line: %s\n", err);
        return 1;
    }
    printf("%s %s\n", name, pub);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2)
        return usage();
    const char *cmd = argv[1];
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(help_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "keygen") == 0)
        return cmd_keygen(argc - 2, argv + 2);
    if (strcmp(cmd, "trust-line") == 0)
        return cmd_trust_line(argc - 2, argv + 2);
    fprintf(stderr, "alox: unknown command '%s'\n", cmd);
    return usage();
}
