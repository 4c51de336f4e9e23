"""A server on a temporary data folder, driven by Starlette's test client (no network)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from serving import make_client
from starlette.testclient import TestClient


@pytest.fixture
def server(tmp_path: Path) -> Callable[..., TestClient]:
    """``server(**settings)``: a started client (closed at the end of the test)."""
    opened: list[TestClient] = []

    def start(**settings: Any) -> TestClient:
        client = make_client(tmp_path / "data", **settings)
        client.__enter__()
        opened.append(client)
        return client

    yield start
    for client in reversed(opened):
        client.__exit__(None, None, None)


@pytest.fixture
def client(server: Callable[..., TestClient]) -> Iterator[TestClient]:
    yield server()
