"""Reading back the QR codes wxacode answers with: PNG pixels → the module matrix segno drew."""

from __future__ import annotations

import struct
import zlib

import segno


def png_rows(png: bytes) -> list[list[int]]:
    """Greyscale/palette/RGB(A) 8-bit or 1-bit PNG → rows of 0 (dark) / 1 (light)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, b"", None
    palette: list[tuple[int, ...]] = []
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        data = png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data)
        elif kind == b"PLTE":
            palette = [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]
        elif kind == b"IDAT":
            chunks += data
        pos += 12 + length
    assert header is not None
    width, height, depth, color, *_ = header
    assert color in (0, 3) and depth in (1, 2, 4, 8), header
    raw = zlib.decompress(chunks)
    stride = (width * depth + 7) // 8
    rows, prev = [], bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        data = _unfilter(line[0], bytearray(line[1:]), prev, max(1, depth // 8))
        values = []
        for x in range(width):
            bit = (data[x * depth // 8] >> (8 - depth - (x * depth) % 8)) & ((1 << depth) - 1)
            shade = sum(palette[bit]) // 3 if palette else bit * 255 // ((1 << depth) - 1)
            values.append(1 if shade > 127 else 0)
        rows.append(values)
        prev = data
    return rows


def _unfilter(kind: int, data: bytearray, prev: bytearray, bpp: int) -> bytearray:
    for i in range(len(data)):
        left = data[i - bpp] if i >= bpp else 0
        up = prev[i]
        corner = prev[i - bpp] if i >= bpp else 0
        if kind == 1:
            data[i] = (data[i] + left) & 0xFF
        elif kind == 2:
            data[i] = (data[i] + up) & 0xFF
        elif kind == 3:
            data[i] = (data[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            data[i] = (data[i] + pred) & 0xFF
    return data


def encodes(png: bytes, text: str) -> bool:
    """True when ``png`` is exactly the QR code of ``text`` (any scale, border 4)."""
    rows = png_rows(png)
    matrix = segno.make(text, error="m", micro=False).matrix
    size = len(matrix) + 8
    scale = len(rows) // size
    return all(
        rows[(y + 4) * scale][(x + 4) * scale] == (0 if matrix[y][x] else 1)
        for y in range(len(matrix))
        for x in range(len(matrix))
    )
