"""Just enough PNG, standard library only: write 8-bit RGBA images and read them back.

The writer serves `draw_icons.py`; the reader lets `build.py` check the icons Teams will reject
(wrong size, or an outline icon that is not white on a transparent background).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

SIGNATURE = b"\x89PNG\r\n\x1a\n"

# IHDR colour types (PNG spec 11.2.2) and how many samples each pixel carries.
GREY, RGB, PALETTE, GREY_ALPHA, RGBA = 0, 2, 3, 4, 6
_CHANNELS = {GREY: 1, RGB: 3, PALETTE: 1, GREY_ALPHA: 2, RGBA: 4}

Pixel = tuple[int, int, int, int]


@dataclass(frozen=True)
class PngHeader:
    width: int
    height: int
    bit_depth: int
    colour_type: int
    interlaced: bool
    has_trns: bool  # a tRNS chunk gives alpha to colour types without an alpha channel

    @property
    def has_alpha(self) -> bool:
        return self.colour_type in (GREY_ALPHA, RGBA) or self.has_trns


# --- writing -------------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def encode_rgba(width: int, height: int, pixels: list[Pixel]) -> bytes:
    """Encode row-major straight-alpha RGBA pixels as an 8-bit, non-interlaced PNG."""
    if len(pixels) != width * height:
        raise ValueError(f"expected {width * height} pixels, got {len(pixels)}")
    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter type None: simple, and zlib still compresses flat areas well
        for r, g, b, a in pixels[y * width : (y + 1) * width]:
            raw += bytes((r, g, b, a))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, RGBA, 0, 0, 0)
    return SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + _chunk(b"IEND", b"")


# --- reading -------------------------------------------------------------------------------------


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(SIGNATURE):
        raise ValueError("not a PNG file (bad signature)")
    chunks: list[tuple[bytes, bytes]] = []
    pos = len(SIGNATURE)
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if len(body) != length:
            raise ValueError("truncated PNG chunk")
        chunks.append((kind, body))
        pos += 12 + length
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR":
        raise ValueError("PNG does not start with an IHDR chunk")
    return chunks


def read_header(data: bytes) -> PngHeader:
    chunks = _chunks(data)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    return PngHeader(
        width=width,
        height=height,
        bit_depth=depth,
        colour_type=colour,
        interlaced=interlace != 0,
        has_trns=any(kind == b"tRNS" for kind, _ in chunks),
    )


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(raw: bytes, width: int, height: int, bpp: int) -> list[bytearray]:
    stride = width * bpp
    rows: list[bytearray] = []
    prev = bytearray(stride)
    pos = 0
    for _ in range(height):
        kind, line = raw[pos], bytearray(raw[pos + 1 : pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = prev[i]
            up_left = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, up_left)) & 0xFF
            elif kind != 0:
                raise ValueError(f"unknown PNG filter type {kind}")
        rows.append(line)
        prev = line
    return rows


def decode_rgba(data: bytes) -> tuple[PngHeader, list[Pixel]]:
    """Decode an 8-bit, non-interlaced grey+alpha or RGBA PNG into row-major RGBA pixels."""
    header = read_header(data)
    if header.bit_depth != 8 or header.interlaced or header.colour_type not in (GREY_ALPHA, RGBA):
        raise ValueError(
            "only 8-bit, non-interlaced RGBA or grey+alpha PNGs can be checked; "
            "re-save the icon in that format (python -m manifest.draw_icons writes one)"
        )
    idat = b"".join(body for kind, body in _chunks(data) if kind == b"IDAT")
    bpp = _CHANNELS[header.colour_type]
    rows = _unfilter(zlib.decompress(idat), header.width, header.height, bpp)
    pixels: list[Pixel] = []
    for line in rows:
        for x in range(header.width):
            if bpp == 4:
                r, g, b, a = line[x * 4 : x * 4 + 4]
                pixels.append((r, g, b, a))
            else:
                grey, a = line[x * 2], line[x * 2 + 1]
                pixels.append((grey, grey, grey, a))
    return header, pixels


def write_png(path: Path, width: int, height: int, pixels: list[Pixel]) -> None:
    path.write_bytes(encode_rgba(width, height, pixels))
