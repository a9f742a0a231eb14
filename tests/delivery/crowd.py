#!/usr/bin/env python3
"""crowd.py PORT COUNT SECONDS: keeps COUNT TCP connections to
127.0.0.1:PORT open or opening for SECONDS, each sending one byte (a
greeting begun, never finished): a connection the node closes is opened
again at once, so the node faces a sustained flood of strangers, not one
wave. Prints "crowd: started" once the first COUNT connects are under way,
and at the end how many connections were made and how many the node
closed."""
import errno
import selectors
import socket
import sys
import time

port, count, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
sel = selectors.DefaultSelector()
made = closed = 0


def open_one():
    s = socket.socket()
    s.setblocking(False)
    rc = s.connect_ex(("127.0.0.1", port))
    if rc not in (0, errno.EINPROGRESS):
        s.close()
        return
    sel.register(s, selectors.EVENT_WRITE, "connecting")


def drop(s):
    sel.unregister(s)
    s.close()


for _ in range(count):
    open_one()
print("crowd: started", flush=True)
end = time.monotonic() + seconds
while time.monotonic() < end:
    for key, _ in sel.select(timeout=0.1):
        s = key.fileobj
        if key.data == "connecting":
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                drop(s)
                open_one()
                continue
            try:
                s.send(b"\xff")
            except OSError:
                drop(s)
                open_one()
                continue
            made += 1
            sel.modify(s, selectors.EVENT_READ, "open")
        else:
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                closed += 1
                drop(s)
                open_one()
    # connects the kernel never answered (a full accept queue) stay pending: fine
print(f"crowd: made {made} connections, the node closed {closed}", flush=True)
