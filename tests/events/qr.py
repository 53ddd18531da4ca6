"""A small QR code reader for tests: clean, upright images as printed into our PDFs.

No QR decoder is installed (zxing-cpp, pyzbar and OpenCV are absent), so the tests read the
codes themselves: find the symbol, sample its modules, read the format information, unmask,
de-interleave the blocks and parse the segments. Error correction is not applied, so a code
that does not carry the exact bits the URL needs cannot pass.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

# Per error-correction level (L, M, Q, H) and version 1..10, from ISO/IEC 18004 table 9.
ECC_PER_BLOCK = {
    "L": [7, 10, 15, 20, 26, 18, 20, 24, 30, 18],
    "M": [10, 16, 26, 18, 24, 16, 18, 22, 22, 26],
    "Q": [13, 22, 18, 26, 18, 24, 18, 22, 20, 24],
    "H": [17, 28, 22, 16, 22, 28, 26, 26, 24, 28],
}
BLOCKS = {
    "L": [1, 1, 1, 1, 1, 2, 2, 2, 2, 4],
    "M": [1, 1, 1, 2, 2, 4, 4, 4, 5, 5],
    "Q": [1, 1, 2, 2, 4, 4, 6, 6, 8, 8],
    "H": [1, 1, 2, 4, 4, 4, 5, 6, 8, 8],
}
FORMAT_LEVEL = {1: "L", 0: "M", 3: "Q", 2: "H"}
ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
MASKS = [
    lambda x, y: (x + y) % 2 == 0,
    lambda x, y: y % 2 == 0,
    lambda x, y: x % 3 == 0,
    lambda x, y: (x + y) % 3 == 0,
    lambda x, y: (x // 3 + y // 2) % 2 == 0,
    lambda x, y: x * y % 2 + x * y % 3 == 0,
    lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
    lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
]


def _format_bits(level_bits: int, mask: int) -> int:
    data = level_bits << 3 | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return (data << 10 | rem) ^ 0x5412


def _alignment_positions(version: int, size: int) -> list[int]:
    if version == 1:
        return []
    count = version // 7 + 2
    step = (version * 4 + count * 2 + 1) // (count * 2 - 2) * 2
    positions = [size - 7 - i * step for i in range(count - 1)]
    return [6, *reversed(positions)]


def _function_modules(version: int, size: int) -> list[list[bool]]:
    fn = [[False] * size for _ in range(size)]

    def mark(x0: int, y0: int, w: int, h: int) -> None:
        for y in range(max(0, y0), min(size, y0 + h)):
            for x in range(max(0, x0), min(size, x0 + w)):
                fn[y][x] = True

    mark(0, 0, 9, 9)
    mark(size - 8, 0, 8, 9)
    mark(0, size - 8, 9, 8)
    mark(0, 6, size, 1)
    mark(6, 0, 1, size)
    positions = _alignment_positions(version, size)
    last = len(positions) - 1
    for i, px in enumerate(positions):
        for j, py in enumerate(positions):
            if (i, j) in {(0, 0), (0, last), (last, 0)}:
                continue
            mark(px - 2, py - 2, 5, 5)
    if version >= 7:
        mark(size - 11, 0, 3, 6)
        mark(0, size - 11, 6, 3)
    return fn


def _grid(image: Image.Image) -> list[list[bool]]:
    grey = image.convert("L")
    width, height = grey.size
    pixels = grey.load()
    assert pixels is not None
    dark = [[pixels[x, y] < 128 for x in range(width)] for y in range(height)]  # type: ignore[operator]
    rows = [y for y in range(height) if any(dark[y])]
    cols = [x for x in range(width) if any(dark[y][x] for y in rows)]
    assert rows and cols, "no dark pixels: not a QR code"
    top, left, right = rows[0], cols[0], cols[-1]
    run = 0
    while left + run <= right and dark[top][left + run]:
        run += 1
    module = run / 7
    size = round((right - left + 1) / module)
    assert (size - 17) % 4 == 0, f"{size} modules across is not a QR size"
    return [
        [dark[top + int((r + 0.5) * module)][left + int((c + 0.5) * module)] for c in range(size)]
        for r in range(size)
    ]


def decode_matrix(grid: list[list[bool]]) -> str:
    size = len(grid)
    version = (size - 17) // 4
    assert 1 <= version <= 10, f"version {version} is beyond this reader"

    def bit(x: int, y: int) -> int:
        return 1 if grid[y][x] else 0

    read = 0
    for i in range(6):
        read |= bit(8, i) << i
    read |= bit(8, 7) << 6 | bit(8, 8) << 7 | bit(7, 8) << 8
    for i in range(9, 15):
        read |= bit(14 - i, 8) << i
    candidates = [(lb, m) for lb in FORMAT_LEVEL for m in range(8)]
    best = min(candidates, key=lambda c: bin(_format_bits(*c) ^ read).count("1"))
    assert bin(_format_bits(*best) ^ read).count("1") <= 3, "unreadable format information"
    level, mask = FORMAT_LEVEL[best[0]], MASKS[best[1]]

    fn = _function_modules(version, size)
    bits: list[int] = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        for vert in range(size):
            for j in range(2):
                x = right - j
                upward = ((right + 1) & 2) == 0
                y = size - 1 - vert if upward else vert
                if not fn[y][x]:
                    bits.append(bit(x, y) ^ (1 if mask(x, y) else 0))
        right -= 2
    raw = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits) - 7, 8)]

    blocks_n = BLOCKS[level][version - 1]
    ecc_len = ECC_PER_BLOCK[level][version - 1]
    short_blocks = blocks_n - len(raw) % blocks_n
    short_len = len(raw) // blocks_n
    data_blocks: list[list[int]] = [[] for _ in range(blocks_n)]
    index = 0
    for i in range(short_len - ecc_len + 1):
        for j in range(blocks_n):
            if i < short_len - ecc_len or j >= short_blocks:
                data_blocks[j].append(raw[index])
                index += 1
    stream = "".join(f"{byte:08b}" for block in data_blocks for byte in block)
    return _parse(stream, version)


def _parse(stream: str, version: int) -> str:
    pos = 0
    out = bytearray()

    def take(n: int) -> int:
        nonlocal pos
        value = int(stream[pos : pos + n], 2)
        pos += n
        return value

    while pos + 4 <= len(stream):
        mode = take(4)
        if mode == 0:
            break
        if mode == 0b0100:  # bytes
            for _ in range(take(8 if version < 10 else 16)):
                out.append(take(8))
        elif mode == 0b0010:  # alphanumeric
            count = take(9 if version < 10 else 11)
            for _ in range(count // 2):
                pair = take(11)
                out += (ALPHANUMERIC[pair // 45] + ALPHANUMERIC[pair % 45]).encode()
            if count % 2:
                out += ALPHANUMERIC[take(6)].encode()
        elif mode == 0b0001:  # numeric
            count = take(10 if version < 10 else 12)
            while count >= 3:
                out += f"{take(10):03d}".encode()
                count -= 3
            if count == 2:
                out += f"{take(7):02d}".encode()
            elif count == 1:
                out += f"{take(4):01d}".encode()
        elif mode == 0b0111:  # ECI designator: one byte for the common ones
            take(8)
        else:
            raise AssertionError(f"mode {mode:04b} is beyond this reader")
    return out.decode("utf-8")


def decode_image(image: Image.Image) -> str:
    return decode_matrix(_grid(image))


def decode_pdf(pdf: Path) -> list[str]:
    """Every QR code embedded as an image in a PDF, read back from the images themselves."""
    out = pdf.parent / f"{pdf.stem}-images"
    out.mkdir(exist_ok=True)
    subprocess.run(["pdfimages", "-png", str(pdf), str(out / "img")], check=True)
    return [decode_image(Image.open(path)) for path in sorted(out.glob("img-*.png"))]
