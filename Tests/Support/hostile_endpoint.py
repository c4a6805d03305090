"""A hostile HTTP endpoint for the load generator's client tests: each connection gets the misbehaviour named by its
request's path, whatever the request says. Prints its port on the first line of stdout, then serves until killed.

/garbage     bytes that are not HTTP
/unsolicited a complete response before the request is read, then another after it
/endless     a 200 with an unending chunked body
/header      a header line that never ends
/silent      reads the request, never answers, keeps the connection open
/reset       closes the connection (RST) after reading the request
/early       answers 201 with a Content-Length longer than the body it sends, then closes
"""
import socket
import struct
import sys
import threading
import time


def serve(conn):
    try:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        path = data.split(b" ", 2)[1].decode(errors="replace")
        if path == "/garbage":
            conn.sendall(b"\x00\xffNOT HTTP AT ALL\r\n\r\n" * 10)
            time.sleep(0.5)
        elif path == "/unsolicited":
            conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n" * 2)
            time.sleep(0.5)
        elif path == "/endless":
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            while True:
                conn.sendall(b"4000\r\n" + b"x" * 0x4000 + b"\r\n")
        elif path == "/header":
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Long: ")
            while True:
                conn.sendall(b"y" * 65536)
        elif path == "/silent":
            time.sleep(300)
        elif path == "/reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif path == "/early":
            conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 100\r\n\r\n{}")
    except OSError:
        pass
    finally:
        conn.close()


server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(128)
print(server.getsockname()[1], flush=True)
while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
