/*
 * top.c - `alox top`: the Alox programs running on this machine, and a
 * live view of one (observe/snapshot.h is the data, observe/control.h
 * where it comes from).
 *
 *     alox top                     list this user's running Alox programs
 *     alox top PID                 live view, refreshed every second (q quits)
 *     alox top --once PID          one snapshot as text
 *     alox top --json [PID]        one snapshot (or the list) as JSON
 *     -d SECONDS, -n COUNT         refresh interval, number of refreshes
 *     --socket PATH                the program at that control socket (no
 *                                  pid lookup: e.g. across pid namespaces)
 *
 * Exit status: 0 done, 1 no such program (or it exited, or it does not
 * answer), 2 bad usage.
 */
#include "top.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "json.h"
#include "observe/control.h"
#include "top_render.h"

#define TOP_TIMEOUT_MS 3000      /* a busy program still answers well within this */
#define TOP_LIST_TIMEOUT_MS 1000 /* per program, listing */

static const char top_usage[] =
    "usage: alox top [--once] [--json] [-d SECONDS] [-n COUNT] [PID | --socket PATH]\n";

/* The program's command name (from /proc), or "?". */
static void comm_of(pid_t pid, char *out, size_t size) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
    FILE *f = fopen(path, "r");
    snprintf(out, size, "?");
    if (f) {
        if (fgets(out, (int)size, f))
            out[strcspn(out, "\n")] = '\0';
        fclose(f);
    }
}

/* Finds PID's control socket; 0, or 1 after printing why there is none. */
static int locate(pid_t pid, char path[CONTROL_PATH_MAX]) {
    char proc[64], comm[64];
    snprintf(proc, sizeof proc, "/proc/%ld", (long)pid);
    struct stat st;
    if (stat(proc, &st) != 0) {
        fprintf(stderr, "alox top: there is no process %ld (it has exited, or never ran)\n", (long)pid);
        return 1;
    }
    comm_of(pid, comm, sizeof comm);
    if (st.st_uid != getuid() && getuid() != 0) {
        fprintf(stderr,
                "alox top: process %ld (%s) belongs to another user (uid %u): only its user "
                "(or root) can look at it\n",
                (long)pid, comm, (unsigned)st.st_uid);
        return 1;
    }
    char dirs[CONTROL_DIRS][CONTROL_PATH_MAX];
    size_t n = control_dirs(st.st_uid, dirs);
    for (size_t i = 0; i < n; i++) {
        struct stat s;
        if (control_socket_path(dirs[i], pid, path) && lstat(path, &s) == 0 && S_ISSOCK(s.st_mode))
            return 0;
    }
    fprintf(stderr,
            "alox top: process %ld (%s) is not an Alox program that alox top can see: it does not "
            "use libalox, has not called alox_run yet, or runs with ALOX_TOP=0\n",
            (long)pid, comm);
    return 1;
}

/* Asks PID for a snapshot; NULL after printing why. */
static json *fetch(pid_t pid, const char *path, const char *request, char **raw) {
    char *text = control_request(path, request, TOP_TIMEOUT_MS);
    if (!text) {
        int e = errno;
        char comm[64];
        comm_of(pid, comm, sizeof comm);
        if ((e == ECONNREFUSED || e == ENOENT) && pid == 0) { /* --socket PATH */
            fprintf(stderr, "alox top: nothing answers at %s: no such socket, or its program has ended\n",
                    path);
        } else if (e == ECONNREFUSED || e == ENOENT) {
            if (kill(pid, 0) != 0 && errno == ESRCH)
                fprintf(stderr, "alox top: process %ld has exited\n", (long)pid);
            else
                fprintf(stderr,
                        "alox top: process %ld (%s) does not answer at %s: the socket is left from "
                        "an earlier process with this pid, or the program is ending\n",
                        (long)pid, comm, path);
        } else if (e == EACCES || e == EPERM) {
            fprintf(stderr, "alox top: %s: permission denied (the program runs as another user)\n", path);
        } else if (pid == 0) {
            fprintf(stderr, "alox top: %s: no answer (%s)\n", path, strerror(e));
        } else {
            fprintf(stderr, "alox top: process %ld (%s): %s\n", (long)pid, comm, strerror(e));
        }
        return NULL;
    }
    char err[256];
    json *j = json_parse(text, err, sizeof err);
    if (!j)
        fprintf(stderr, "alox top: process %ld answered something that is not a snapshot: %s\n",
                (long)pid, err);
    if (raw)
        *raw = text;
    else
        free(text);
    return j;
}

/* ------------------------------------------------------------------
 * The list.
 * ------------------------------------------------------------------ */
static int list_programs(bool as_json) {
    char dirs[CONTROL_DIRS][CONTROL_PATH_MAX];
    size_t ndirs = control_dirs(getuid(), dirs);
    size_t found = 0;
    if (as_json)
        printf("[");
    else
        printf("%-8s %-16s %-12s %10s %7s %9s %12s %8s\n", "PID", "PROGRAM", "NODE", "UPTIME",
               "WORKERS", "ACTORS", "BEHAVIOURS", "DEAD");
    for (size_t d = 0; d < ndirs; d++) {
        DIR *dir = opendir(dirs[d]);
        if (!dir)
            continue;
        for (struct dirent *e; (e = readdir(dir));) {
            char *end;
            long pid = strtol(e->d_name, &end, 10);
            if (pid <= 0 || strcmp(end, ".sock") != 0)
                continue;
            char path[CONTROL_PATH_MAX];
            if (!control_socket_path(dirs[d], (pid_t)pid, path))
                continue;
            if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
                unlink(path); /* left by a program that was killed: ours to tidy */
                continue;
            }
            char *raw = control_request(path, "summary\n", TOP_LIST_TIMEOUT_MS);
            char err[256];
            json *j = raw ? json_parse(raw, err, sizeof err) : NULL;
            if (!j) {
                free(raw);
                continue;
            }
            if (as_json) {
                printf("%s%.*s", found ? "," : "", (int)strcspn(raw, "\n"), raw);
            } else {
                uint64_t live = 0, runs = 0;
                const json *types = json_get(j, "types"), *workers = json_get(j, "workers");
                for (size_t i = 0; i < json_count(types); i++)
                    live += json_u64(json_at(types, i), "live");
                for (size_t i = 0; i < json_count(workers); i++)
                    runs += json_u64(json_at(workers, i), "runs");
                char up[32], a[32], r[32];
                top_format_duration(json_u64(j, "uptime_ms") / 1e3, up, sizeof up);
                top_format_count(live, a, sizeof a);
                top_format_count(runs, r, sizeof r);
                const char *node = json_str(j, "node");
                printf("%-8ld %-16.16s %-12.12s %10s %7zu %9s %12s %8llu\n", pid,
                       json_str(j, "program"), node[0] ? node : "-", up,
                       json_count(json_get(j, "workers")), a, r,
                       (unsigned long long)json_u64(json_get(j, "dead_letters"), "total"));
            }
            found++;
            json_free(j);
            free(raw);
        }
        closedir(dir);
    }
    if (as_json)
        printf("]\n");
    else if (found == 0)
        printf("(no Alox program of this user is running; programs started with ALOX_TOP=0 are "
               "not shown)\n");
    return 0;
}

/* ------------------------------------------------------------------
 * The live view.
 * ------------------------------------------------------------------ */
static struct termios saved_tty;
static bool tty_raw;

static void restore_tty(void) {
    if (tty_raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
    tty_raw = false;
    fputs("\033[?25h", stdout); /* the cursor again */
    fflush(stdout);
}

static void on_signal(int signo) {
    (void)signo;
    restore_tty();
    _exit(0);
}

static void enter_raw_tty(void) {
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty) != 0)
        return;
    struct termios raw = saved_tty;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
        tty_raw = true;
    atexit(restore_tty);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
}

/* Waits up to ms for a key; true if it was q (quit). */
static bool wait_for_quit(int ms) {
    struct pollfd p = {STDIN_FILENO, POLLIN, 0};
    if (!tty_raw) {
        poll(NULL, 0, ms);
        return false;
    }
    if (poll(&p, 1, ms) > 0) {
        char c = 0;
        if (read(STDIN_FILENO, &c, 1) == 1 && (c == 'q' || c == 'Q'))
            return true;
    }
    return false;
}

static int terminal_width(void) {
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 100;
}

static int live_view(pid_t pid, const char *path, double interval, long count) {
    bool screen = isatty(STDOUT_FILENO);
    if (screen) {
        enter_raw_tty();
        fputs("\033[?25l", stdout);
    }
    json *prev = NULL;
    for (long i = 0; count <= 0 || i < count; i++) {
        json *now = fetch(pid, path, "snapshot\n", NULL);
        if (!now) {
            json_free(prev);
            return 1;
        }
        if (screen)
            fputs("\033[H\033[2J", stdout);
        else if (i > 0)
            fputs("\n", stdout);
        top_render(stdout, now, prev, interval, terminal_width());
        if (screen)
            fputs("\n(q quits)", stdout);
        fflush(stdout);
        json_free(prev);
        prev = now;
        if ((count <= 0 || i + 1 < count) && wait_for_quit((int)(interval * 1000)))
            break;
    }
    json_free(prev);
    if (screen)
        fputs("\n", stdout);
    return 0;
}

int cmd_top(int argc, char **argv) {
    bool once = false, as_json = false;
    double interval = 1.0;
    long count = 0;
    pid_t pid = 0;
    const char *socket_path = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--socket") == 0 && i + 1 < argc) {
            socket_path = argv[++i];
        } else if (strcmp(a, "--once") == 0) {
            once = true;
        } else if (strcmp(a, "--json") == 0) {
            as_json = true;
        } else if ((strcmp(a, "-d") == 0 || strcmp(a, "-n") == 0) && i + 1 < argc) {
            char *end;
            double v = strtod(argv[++i], &end);
            if (*end || v <= 0 || (a[1] == 'd' && v < 0.1)) {
                fprintf(stderr, "alox top: %s needs a positive number%s, not '%s'\n", a,
                        a[1] == 'd' ? " of seconds (0.1 or more)" : " of refreshes", argv[i]);
                return 2;
            }
            if (a[1] == 'd')
                interval = v;
            else
                count = (long)v;
        } else if (a[0] == '-') {
            fprintf(stderr, "alox top: unknown option %s\n%s", a, top_usage);
            return 2;
        } else if (pid == 0) {
            char *end;
            long v = strtol(a, &end, 10);
            if (*end || v <= 0) {
                fprintf(stderr, "alox top: '%s' is not a process id\n%s", a, top_usage);
                return 2;
            }
            pid = (pid_t)v;
        } else {
            fprintf(stderr, "alox top: one PID at a time\n%s", top_usage);
            return 2;
        }
    }
    char path[CONTROL_PATH_MAX];
    if (socket_path) {
        if (pid != 0) {
            fprintf(stderr, "alox top: give a PID or --socket PATH, not both\n%s", top_usage);
            return 2;
        }
        if (strlen(socket_path) >= sizeof path) {
            fprintf(stderr, "alox top: --socket needs a path of at most %d bytes\n%s",
                    CONTROL_PATH_MAX - 1, top_usage);
            return 2;
        }
        snprintf(path, sizeof path, "%s", socket_path);
    } else if (pid == 0) {
        return list_programs(as_json);
    } else if (locate(pid, path) != 0) {
        return 1;
    }
    if (as_json) {
        char *raw = NULL;
        json *j = fetch(pid, path, "snapshot\n", &raw);
        if (!j)
            return 1;
        fputs(raw, stdout);
        json_free(j);
        free(raw);
        return 0;
    }
    if (once) {
        json *j = fetch(pid, path, "snapshot\n", NULL);
        if (!j)
            return 1;
        top_render(stdout, j, NULL, 0, terminal_width());
        json_free(j);
        return 0;
    }
    return live_view(pid, path, interval, count);
}
