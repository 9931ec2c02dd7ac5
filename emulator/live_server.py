"""Serving an ASGI app for real: uvicorn on 127.0.0.1 and a free port, in a background thread.

What the `front_server` fixture, the examples and the tests use when an integration needs a real URL;
uvicorn and the app load only when a LiveServer is made, so importing this stays cheap.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from emulator.listening import listen

if TYPE_CHECKING:
    import uvicorn

    from emulator.config import Config
    from emulator.domain.store import Store

__all__ = ["LiveServer"]


class LiveServer:
    """An ASGI app served by uvicorn on 127.0.0.1 and a free port, in a background thread."""

    def __init__(
        self, app: Any, listener: socket.socket | None = None, server: uvicorn.Server | None = None
    ) -> None:
        """`server` serves `app` (the emulator's own server, see `emulator`); plain uvicorn when None."""
        import uvicorn

        self.app = app
        self.listener = listener if listener is not None else listen("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.server = server or uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.listener]}, daemon=True
        )

    @classmethod
    def emulator(cls, config: Config, store: Store | None = None) -> LiveServer:
        """An emulator built for its real address (the port is bound first, so payloads link back to it),
        on the server `front-emulator serve` runs (emulator/serving.py), so tests exercise what users run."""
        from emulator.app import create_app, create_store
        from emulator.serving import server_for

        listener = listen("127.0.0.1", 0)
        config = replace(config, host="127.0.0.1", port=listener.getsockname()[1], public_url=None)
        app = create_app(config, store or create_store(config))
        return cls(app, listener, server_for(app, config))

    def start(self) -> str:
        """Start serving; returns the base URL once uvicorn serves."""
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self.url

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
