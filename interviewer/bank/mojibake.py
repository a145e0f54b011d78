"""Repair mojibake: UTF-8 text that was decoded as cp1252 somewhere (`â†’` for `→`, `Î·` for `η`)."""

from __future__ import annotations

import re

import ftfy

# Bytes 0x80-0xBF as cp1252 shows them (ftfy's "sloppy" codec keeps the five bytes cp1252 leaves undefined).
_CONTINUATION_CHARS = bytes(range(0x80, 0xC0)).decode("sloppy-windows-1252")
# cp1252 has no character for 0x81, 0x8D, 0x8F, 0x90 and 0x9D, so some tools dropped those bytes and
# ftfy cannot undo the rest of the sequence. Each prefix maps to its likeliest lost byte in technical text.
_LOST_LAST_BYTE = {
    "â‚": "\x81",  # E2 82 81: subscript one, as in β₁
    "â€": "\x9d",  # E2 80 9D: right double quotation mark
    "â†": "\x90",  # E2 86 90: leftwards arrow
    "Ï": "\x81",  # CF 81: Greek small rho
}
_LOST_BYTE_PATTERN = re.compile(
    "(" + "|".join(map(re.escape, _LOST_LAST_BYTE)) + ")(?![" + re.escape(_CONTINUATION_CHARS) + "])"
)


def repair_mojibake(text: str) -> str:
    """Restore the bytes some tools dropped, then let ftfy undo the cp1252 decoding; clean text is unchanged."""
    restored = _LOST_BYTE_PATTERN.sub(lambda match: match.group(1) + _LOST_LAST_BYTE[match.group(1)], text)
    return ftfy.fix_text(restored, uncurl_quotes=False)
