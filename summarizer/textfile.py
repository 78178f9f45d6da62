"""Reading a document from disk for briefing, with the refusals a user can act on.

A binary, empty, non-UTF-8 or huge file is refused with one line saying which; the caller goes on
with the next file.
"""

from __future__ import annotations

from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024


class UnreadableFile(ValueError):
    """The file cannot be briefed; ``str(error)`` is one line for the user."""


def read_text(path: Path, *, max_bytes: int = MAX_BYTES) -> str:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise UnreadableFile(f"{path}: is a folder, not a file")
        if size > max_bytes:
            raise UnreadableFile(
                f"{path}: too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB)"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(f"{path}: no such file") from None
    except PermissionError:
        raise UnreadableFile(f"{path}: permission denied") from None
    except OSError as exc:
        raise UnreadableFile(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return decode_text(data, str(path))


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text from bytes, refusing binary data rather than briefing garbage."""
    if not data.strip():
        raise UnreadableFile(f"{name}: empty")
    if b"\x00" in data[:8192]:
        raise UnreadableFile(f"{name}: binary data, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{name}: not UTF-8 text (bad byte at offset {exc.start})") from None
    return text
