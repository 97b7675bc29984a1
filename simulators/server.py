"""Run a WSGI app on a free loopback port in a background thread."""

import threading

from werkzeug.serving import make_server


class SimulatorServer:
    """A threaded WSGI server on 127.0.0.1; port 0 picks a free one."""

    def __init__(self, wsgi_app, port: int = 0):
        self._server = make_server("127.0.0.1", port, wsgi_app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> "SimulatorServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "SimulatorServer":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


class RestartableSimulator:
    """A simulator on a loopback port that can also go away (connection refused) and return."""

    def __init__(self, app):
        self.app = app
        self.server = SimulatorServer(app).start()
        self.port, self.url = self.server.port, self.server.url

    def go_away(self) -> None:
        """Stop listening: every call is refused until come_back()."""
        if self.server is not None:
            self.server.stop()
            self.server = None

    def come_back(self) -> None:
        if self.server is None:
            self.server = SimulatorServer(self.app, port=self.port).start()

    def stop(self) -> None:
        self.go_away()

    def __enter__(self):
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()
