#!/usr/bin/env python3
"""relay.py LISTEN_PORT TARGET_PORT [DELAY_S]: a TCP relay on 127.0.0.1
for the delivery tests. Killing it drops every connection through it
with what was in flight, as a broken network path does. With DELAY_S,
each new connection waits that long before it is relayed (a slow path)."""
import selectors
import socket
import sys
import time

listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", listen_port))
server.listen(64)
sel = selectors.DefaultSelector()
sel.register(server, selectors.EVENT_READ, None)
while True:
    for key, _ in sel.select():
        if key.data is None:
            a, _ = server.accept()
            time.sleep(delay)
            b = socket.create_connection(("127.0.0.1", target_port))
            sel.register(a, selectors.EVENT_READ, b)
            sel.register(b, selectors.EVENT_READ, a)
            continue
        src, dst = key.fileobj, key.data
        try:
            data = src.recv(65536)
        except OSError:
            data = b""
        if not data:
            for s in (src, dst):
                try:
                    sel.unregister(s)
                except (KeyError, ValueError):
                    pass
                s.close()
            continue
        dst.sendall(data)
