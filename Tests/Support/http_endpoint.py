"""A small HTTP/1.1 endpoint from Python's standard library, for the load generator's client tests: an independent
server implementation. Prints its port on the first line of stdout, then serves until killed. Binds 127.0.0.1, or the
address given as its one argument.

Every response carries X-Connection: the number of the connection it came on (counted from 1), so a test can tell its
own connections from anything else that reached the port.

POST /ok       201, header X-Echo: the body's length, JSON body {"trace": "t-<body length>"}
POST /close    201 with Connection: close
POST /big      200 with a 2 MiB body
POST /chunked  201, body sent chunked
POST /slow     201 after 10 s
GET  /stats    {"connections": N, "requests": M}
"""
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
stats = {"connections": 0, "requests": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm holds the body for the client's
        # delayed ACK (~40 ms a request).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with lock:
            stats["connections"] += 1
            self.connection_number = stats["connections"]

    def log_message(self, *args):
        pass

    def send_response(self, code, message=None):
        super().send_response(code, message)
        self.send_header("X-Connection", str(self.connection_number))

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/status/"):  # a readiness URL that answers this status
            return self.reply(int(self.path[len("/status/"):]), b"")
        if self.path == "/silent":  # a readiness URL that answers after 10 s
            time.sleep(10)
        with lock:
            body = json.dumps(stats).encode()
        self.reply(200, body, [("Content-Type", "application/json")])

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with lock:
            stats["requests"] += 1
        if self.path == "/ok":
            self.reply(201, json.dumps({"trace": "t-%d" % len(body)}).encode(), [("X-Echo", str(len(body)))])
        elif self.path == "/close":
            self.close_connection = True
            self.reply(201, b"{}", [("Connection", "close")])
        elif self.path == "/big":
            self.reply(200, b"x" * (2 << 20))
        elif self.path == "/chunked":
            self.send_response(201)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b'{"trace":', b'"t-chunked"}'):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/slow":
            time.sleep(10)
            self.reply(201, b"{}")
        else:
            self.reply(404, b"")


class Server(ThreadingHTTPServer):
    # socketserver's listen backlog is 5: a burst of new connections (a generator catching up after a pause) overflows
    # it, the kernel answers with SYN cookies and drops the handshake's last ACK, and the client's request waits unacked
    # for tens of seconds. A real server's backlog (nginx: 511).
    request_queue_size = 1024


server = Server((sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1", 0), Handler)
server.daemon_threads = True
server.handle_error = lambda request, address: None  # a client that gave up (the timeout test) is not an error here
print(server.server_address[1], flush=True)
server.serve_forever()
