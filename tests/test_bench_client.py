"""The benchmark's HTTP client survives a server closing an idle keep-alive connection (gunicorn's keepalive)."""

import socketserver
import threading

import pytest

from bench.server import Client


class AnswersOnceThenHangsUp(socketserver.BaseRequestHandler):
    """Answers one request as if keeping the connection alive, then closes it, as an idle timeout does."""

    def handle(self):
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            received += chunk
        self.server.requests += 1
        self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")


@pytest.fixture
def server():
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), AnswersOnceThenHangsUp) as tcp:
        tcp.requests = 0
        thread = threading.Thread(target=tcp.serve_forever, daemon=True)
        thread.start()
        yield tcp
        tcp.shutdown()


def test_a_request_on_a_connection_the_server_closed_is_sent_again_on_a_new_one(server):
    client = Client(server.server_address[1])
    assert client.get("/first")[1:] == (200, b"ok")
    assert client.get("/second")[1:] == (200, b"ok")
    assert client.reconnections == 1
    assert server.requests == 2
