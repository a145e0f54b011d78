"""Files the user names with `-o`: refused when writing them would destroy data, written whole or not at all.

An output is refused when it is one of the command's inputs (also through a symlink or a hard link),
the session database, or any file under the data folder. Its folder is checked before any work starts.
Content goes to a temporary file in the same folder that replaces the output with `os.replace` once it
is complete and flushed to disk, so a failed or interrupted write leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from interviewer import locations
from interviewer.errors import InterviewerError


def resolve_output(output: Path) -> Path:
    """The file to write: a symlink's target is written (the link stays a link), relative paths made absolute."""
    return output.expanduser().resolve()


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve() or os.path.samefile(first, second)
    except OSError:
        return False


def refuse_unsafe_output(output: Path, *, inputs: Sequence[Path] = ()) -> None:
    """InterviewerError when the output is an input, the session database, a file under the data folder
    or a folder."""
    target = resolve_output(output)
    for source in inputs:
        if _same_file(target, source):
            raise InterviewerError(f"{output}: the output is the input file {source}; choose another output path")
    if _same_file(target, locations.database_file()):
        raise InterviewerError(f"{output}: the output is the session database; choose another output path")
    data_dir = locations.data_dir().expanduser().resolve()
    if target.is_relative_to(data_dir):
        raise InterviewerError(
            f"{output}: the output is inside the data folder {data_dir}, which interviewer manages; "
            "choose another output path"
        )
    if target.is_dir():
        raise InterviewerError(f"{output}: is a folder; name a file to write")


def check_output_folder(output: Path) -> None:
    """InterviewerError unless a new file can be created next to the output (checked by creating one)."""
    folder = resolve_output(output).parent
    if not folder.exists():
        raise InterviewerError(f"{output}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise InterviewerError(f"{output}: {folder} is not a folder")
    try:
        descriptor, probe = create_beside(resolve_output(output), ".probe")
    except OSError as exc:
        raise InterviewerError(f"{output}: cannot write in {folder}: {exc.strerror or exc}") from None
    os.close(descriptor)
    probe.unlink(missing_ok=True)


def create_beside(target: Path, suffix: str) -> tuple[int, Path]:
    """A new, empty, hidden file next to target (same folder, so os.replace is atomic): (descriptor, path)."""
    while True:
        path = target.with_name(f".{target.name}.{secrets.token_hex(4)}{suffix}")
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), path
        except FileExistsError:
            continue


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl+C and SIGTERM wait until the block ends (so a write in it is never cut in the middle)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_all(descriptor: int, data: bytes) -> None:
    """Write every byte (os.write may write fewer), with Ctrl+C held until the data is written."""
    view = memoryview(data)
    with signals_held():
        while view:
            written = os.write(descriptor, view)
            view = view[written:]


def fsync_folder(folder: Path) -> None:
    """Make a rename in folder durable (where the platform allows opening folders)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def commit_file(descriptor: int, temp: Path, output: Path) -> None:
    """Flush temp (open as descriptor, which the caller closes) to disk, give it the mode of the file it
    replaces, and rename it over output."""
    os.fsync(descriptor)
    with contextlib.suppress(OSError):
        os.chmod(temp, output.stat().st_mode & 0o7777)
    os.replace(temp, output)
    fsync_folder(output.parent)
