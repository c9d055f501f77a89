"""Fault injection: a TCP proxy in front of PostgreSQL that can be cut and restored, as when the
database server goes away (restart, network failure) and comes back."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable


class DatabaseCable:
    """Listens on 127.0.0.1:<port> and forwards to the real database. `cut()` refuses new
    connections and breaks the open ones; `restore()` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.listener: socket.socket | None = None
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        if self.listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone leaves it listening (Linux).
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        with self.lock:
            for sock in self.open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.open.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def kill_when(process, happened: Callable[[], bool], timeout: float = 60) -> bool:
    """SIGKILL `process` as soon as `happened()` is true (polled every 5 ms).
    Returns False if the process finished (or the time ran out) before that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if happened():
            process.kill()
            process.wait()
            return True
        time.sleep(0.005)
    return False


def kill_while_writing(process, database: str, admin_url: str, timeout: float = 60) -> bool:
    """SIGKILL `process` as soon as its PostgreSQL session is inside a writing transaction.
    Returns False if the process finished before it was seen writing."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:

        def writing() -> bool:
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL", [database]
            ).fetchone()
            return bool(row and row[0])

        return kill_when(process, writing, timeout)
