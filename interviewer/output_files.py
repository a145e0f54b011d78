"""Files the user names with `-o`: refused when writing them would destroy data, written whole or not at all.

Every command that writes a file the user names goes through here (`grade -o`, `report -o`, `bank import
-o`, and the TUI's report export). An output is refused when it is one of the command's inputs (also
through a symlink or a hard link), the session database, or any file under the data folder (except the
files interviewer itself places there, such as the TUI's exported reports). Its folder is checked before
any work starts (`check_output`). Content goes to a temporary file in the same folder that replaces the
output with `os.replace` once it is complete and flushed to disk (`replacing`, `write_output`), so a
failed or interrupted write leaves the previous file intact and no temporary file behind.
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


def refuse_unsafe_output(output: Path, *, inputs: Sequence[Path] = (), managed: bool = False) -> None:
    """InterviewerError when the output is an input, the session database, a file under the data folder
    (unless `managed`: a file interviewer itself places there) or a folder."""
    target = resolve_output(output)
    for source in inputs:
        if _same_file(target, source):
            raise InterviewerError(f"{output}: the output is the input file {source}; choose another output path")
    database = locations.database_file()
    if _same_file(target, database) or (
        target.name.startswith(database.name) and _same_file(target.parent, database.parent)
    ):
        raise InterviewerError(f"{output}: the output is the session database; choose another output path")
    data_dir = locations.data_dir().expanduser().resolve()
    if not managed and target.is_relative_to(data_dir):
        raise InterviewerError(
            f"{output}: the output is inside the data folder {data_dir}, which interviewer manages; "
            "choose another output path"
        )
    if target.is_dir():
        raise InterviewerError(f"{output}: is a folder; name a file to write")


def check_output_folder(output: Path) -> None:
    """InterviewerError unless a new file can be created next to the output (checked by creating one)."""
    _check_can_create_in(resolve_output(output).parent, shown=output)


def _check_can_create_in(folder: Path, *, shown: Path) -> None:
    if not folder.exists():
        raise InterviewerError(f"{shown}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise InterviewerError(f"{shown}: {folder} is not a folder")
    try:
        descriptor, probe = create_beside(folder / "output", ".probe")
    except OSError as exc:
        raise InterviewerError(f"{shown}: cannot write in {folder}: {exc.strerror or exc}") from None
    os.close(descriptor)
    probe.unlink(missing_ok=True)


def check_output_dir(folder: Path) -> Path:
    """InterviewerError unless files can be written into folder (created later when missing): not in the
    data folder, not a file, and its nearest existing ancestor a folder new files can be created in."""
    target = resolve_output(folder)
    data_dir = locations.data_dir().expanduser().resolve()
    if target.is_relative_to(data_dir):
        raise InterviewerError(
            f"{folder}: is inside the data folder {data_dir}, which interviewer manages; choose another folder"
        )
    existing = target
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    _check_can_create_in(existing, shown=folder)
    return target


def check_output(output: Path, *, inputs: Sequence[Path] = (), managed: bool = False) -> Path:
    """Both checks a command runs on its output before any work: `refuse_unsafe_output`, then
    `check_output_folder`. Returns the file that will be written."""
    refuse_unsafe_output(output, inputs=inputs, managed=managed)
    check_output_folder(output)
    return resolve_output(output)


def write_output(output: Path, data: bytes | str, *, inputs: Sequence[Path] = (), managed: bool = False) -> Path:
    """Check the output (as `check_output`) and replace it whole with data (text is written as UTF-8).

    A failed write is one InterviewerError naming the file; the previous file is unchanged and no temporary
    file is left. Returns the file written (a symlink's target)."""
    target = check_output(output, inputs=inputs, managed=managed)
    content = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with replacing(target) as descriptor:
            write_all(descriptor, content)
    except OSError as exc:
        raise InterviewerError(
            f"{output}: cannot write: {exc.strerror or exc}; the previous file is unchanged"
        ) from None
    return target


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[int]:
    """The descriptor of a new temporary file beside target: when the block ends without an error it is
    flushed and renamed over target (`commit_file`); otherwise it is removed and target is untouched."""
    descriptor, temp = create_beside(target, ".tmp")
    try:
        yield descriptor
        commit_file(descriptor, temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    finally:
        os.close(descriptor)


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
