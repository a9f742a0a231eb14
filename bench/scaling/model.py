#!/usr/bin/env python3
"""model.py - how far each shared point of Alox's scheduler carries as cores
grow (bench/RESULTS.md, "Scaling past 2 cores"). A cost model, not a
measurement: each serialised step costs a number of cache-line transfers
between cores, LINE_NS each, and a lock handed between cores costs LOCK_NS.
The code paths counted are those of runtime/core (scheduler.c, injectq.c,
worker.c, runqueue.c) as of this commit; the event counts per unit of work
come from bench/scaling/run.sh (the runtime's counters).

    python3 bench/scaling/model.py [LINE_NS] [LOCK_NS]

LINE_NS (default 100): one cache line moving to another core, on a one- or
two-socket server (worker.h measures a whole send handed to another core at
~230 ns on the 2-vCPU development machine: a few transfers).
LOCK_NS (default 250): a contended pthread mutex changing hands (its line,
the owner's stores inside, the futex path when a waiter slept).
"""
import sys

LINE_NS = float(sys.argv[1]) if len(sys.argv) > 1 else 100.0
LOCK_NS = float(sys.argv[2]) if len(sys.argv) > 2 else 250.0
CORES = [2, 4, 8, 16, 32, 64, 128]


def park_ns(n):
    # scheduler_park under S.lock: push on the idle stack, then
    # scheduler_work_visible(): the injection queue's size and each of the
    # n run queues' head/tail line (one line per worker, owned by the worker
    # that last pushed), then quiescent_locked() (idle == threads: the last
    # parker scans again; others stop at the count).
    return LOCK_NS + (1 + n) * LINE_NS


def wake_ns(n):
    # wake_one under S.lock: pop the idle stack, counters, signal.
    return LOCK_NS + 3 * LINE_NS


def inject_ns(n):
    # injectq_push / injectq_pop: the lock, first/last, size.
    return LOCK_NS + 2 * LINE_NS


def spin_ns(n):
    # A spinning worker before it parks: STEAL_ROUNDS (4) rounds over the
    # n - 1 other queues (a miss each) plus the injection queue's size.
    return 4 * (n * LINE_NS)


print(f"LINE_NS={LINE_NS:.0f} LOCK_NS={LOCK_NS:.0f}")
print("| cores | park (µs under S.lock) | park + wake pairs/s, S.lock saturated | "
      "injections/s, injectq lock saturated | spin before parking (µs) |")
print("|---:|---:|---:|---:|---:|")
for n in CORES:
    pair = park_ns(n) + wake_ns(n)
    print(f"| {n} | {park_ns(n) / 1000:.1f} | {1e9 / pair / 1e6:.2f} M | "
          f"{1e9 / inject_ns(n) / 1e6:.1f} M | {spin_ns(n) / 1000:.1f} |")

# What a server asks of them: every core handles requests of REQ_US µs of
# work each, and between bursts its worker parks; a request that arrives at
# a parked worker costs one wake and one park, and comes through the
# injection queue when a non-worker thread (the mailman, the I/O thread)
# made the actor runnable.
print()
print("| cores | requests/s at 10 µs each | S.lock use if 1 in 10 requests parks a worker | "
      "injectq lock use if every request is injected |")
print("|---:|---:|---:|---:|")
for n in CORES:
    rate = n * 1e6 / 10.0
    lock_use = rate / 10 * (park_ns(n) + wake_ns(n)) / 1e9
    inj_use = rate * 2 * inject_ns(n) / 1e9  # a push by the mailman, a pop by a worker
    print(f"| {n} | {rate / 1e6:.1f} M | {100 * lock_use:.0f} % | {100 * inj_use:.0f} % |")
