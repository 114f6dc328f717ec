"""The tap reader of docs/tap-protocol.md, counting records and nothing else.
With INTERVAL_MS > 0 it reads in batches: after each read it sleeps that long.
Usage: python3 tap-reader.py SOCKET [INTERVAL_MS]"""
import json, socket, struct, sys, time

path = sys.argv[1]
interval_s = (int(sys.argv[2]) if len(sys.argv) > 2 else 0) / 1000
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
buf = b''
while len(buf) < 16:
    chunk = s.recv(16 - len(buf))
    if not chunk:
        sys.exit('the tap closed before its hello')
    buf += chunk
assert buf[:8] == b'FSTAP\0\0\0' and struct.unpack_from('<HH', buf, 8) == (1, 32)
buf = b''
events = deliveries = 0
while chunk := s.recv(65536):
    deliveries += 1
    buf += chunk
    while len(buf) >= 32:
        t_ms, typ, button, context, key, x, y, seq = struct.unpack_from('<dBBBxhxxiiI4x', buf)
        buf = buf[32:]
        events += 1
    if interval_s > 0:
        time.sleep(interval_s)
print(json.dumps({'events': events, 'deliveries': deliveries}))
