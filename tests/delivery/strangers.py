#!/usr/bin/env python3
"""strangers.py PORT COUNT HOLD_SECONDS [garbage]: opens COUNT TCP
connections to 127.0.0.1:PORT, each sending one byte (or, with
"garbage", a few hundred random bytes), and holds them for HOLD_SECONDS.
Prints how many it opened and how many the node closed meanwhile."""
import os
import selectors
import socket
import sys
import time

port, count, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
garbage = len(sys.argv) > 4 and sys.argv[4] == "garbage"
sel = selectors.DefaultSelector()
opened = 0
for _ in range(count):
    s = socket.socket()
    s.settimeout(0.5)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(os.urandom(300) if garbage else b"\xff")  # a greeting begun, never finished
    except OSError:
        s.close()
        continue
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    opened += 1
print(f"strangers: opened {opened} of {count}", flush=True)
closed = 0
began = time.monotonic()
last = 0.0
end = began + hold
while time.monotonic() < end and closed < opened:
    for key, _ in sel.select(timeout=0.2):
        try:
            data = key.fileobj.recv(4096)
        except OSError:
            data = b""
        if not data:
            sel.unregister(key.fileobj)
            key.fileobj.close()
            closed += 1
            last = time.monotonic() - began
print(f"strangers: the node closed {closed} of {opened}, the last after {last:.1f} s", flush=True)
