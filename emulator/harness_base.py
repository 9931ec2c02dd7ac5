"""The harness client's plumbing: one request, its answer or an EmulatorError, and the workspace it reads
ids and secrets from. emulator/harness.py and its parts (emulator/harness_applications.py) build on it."""

from __future__ import annotations

from typing import Any, Protocol


class HttpClient(Protocol):
    """What httpx.Client, httpx2.Client and Starlette's TestClient all offer (the keywords used here)."""

    def request(
        self, method: str, url: str, *, json: Any = ..., params: Any = ..., headers: Any = ...
    ) -> Any: ...


class EmulatorError(AssertionError):
    """The emulator refused a harness call; the message carries Front's `_error` answer."""


class HarnessBase:
    """One emulator's HTTP API and the workspace it was loaded with; the harness's parts add what to do."""

    def __init__(self, client: HttpClient, url: str) -> None:
        self.client = client
        # Base URL as integrations should be configured with it (a real URL only for live servers).
        self.url = url.rstrip("/")
        self._workspace: dict[str, Any] | None = None

    def call(
        self, method: str, path: str, expected: int | tuple[int, ...] = (200, 201, 202, 204), **kwargs: Any
    ) -> Any:
        """One request; raises EmulatorError with the emulator's answer unless the status is expected."""
        answer = self.client.request(method, path, **kwargs)
        allowed = (expected,) if isinstance(expected, int) else expected
        if answer.status_code not in allowed:
            raise EmulatorError(f"{method} {path} answered {answer.status_code}: {answer.text}")
        if answer.status_code == 204 or not answer.content:
            return None
        return answer.json()

    def document(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """`call` for routes that answer a JSON object."""
        found: dict[str, Any] = self.call(method, path, **kwargs)
        return found

    @property
    def workspace(self) -> dict[str, Any]:
        if self._workspace is None:
            self._workspace = self.document("GET", "/_emulator/workspace")
        return self._workspace

    def forget_workspace(self) -> None:
        """The workspace may have changed (reset, seed): read it again when next needed."""
        self._workspace = None

    @property
    def token(self) -> str:
        """The token with the most scopes."""
        return str(max(self.workspace["tokens"], key=lambda token: len(token["scopes"]))["token"])

    @property
    def secret(self) -> str:
        return str(self.workspace["api_secret"])

    @property
    def channel_id(self) -> str:
        """The first custom channel of the workspace."""
        return str(next(c["id"] for c in self.workspace["channels"] if c["type"] == "custom"))

    @property
    def teammate_id(self) -> str:
        return str(self.workspace["teammates"][0]["id"])

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}
