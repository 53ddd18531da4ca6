"""Build the CJK font Wulian ships for its PDF documents.

The printable documents (claim agreements, posters, minutes, reports) are rendered on the
server by WeasyPrint, and must show Chinese even where no CJK font is installed. We ship a
subset of Noto Sans CJK SC (SIL Open Font License 1.1) renamed "Wulian Sans", covering:

- all of GB 2312 (the 6,763 hanzi of levels 1 and 2, and its symbol rows: full-width forms,
  punctuation, numbers in circles and brackets, arrows, shapes);
- the Traditional counterparts of every GB 2312 hanzi: OpenCC's s2t, s2tw and s2hk
  conversions of each character and every candidate in OpenCC's STCharacters dictionary
  (so 发 brings both 發 and 髮, 干 brings 幹 乾 榦);
- ASCII, Latin-1, general punctuation, CJK symbols and punctuation, half- and full-width forms.

Run it from the repository root with the Debian package fonts-noto-cjk installed:

    apt-get install fonts-noto-cjk
    .venv/bin/python scripts/make_font_subset.py

It writes wulian/core/fonts/WulianSans-{Regular,Bold}.otf and OFL.txt. The output depends only
on the source font, fontTools and OpenCC, so the same versions give byte-identical files.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import opencc
from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
SOURCE_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
SC_FACE_INDEX = 2  # in NotoSansCJK-*.ttc: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK, then the Mono faces
OUTPUT_DIR = Path(__file__).resolve().parent.parent / "wulian" / "core" / "fonts"
FAMILY = "Wulian Sans"
WEIGHTS = ("Regular", "Bold")

# Horizontal kerning and the vertical forms of punctuation; no localised (locl) forms, so the
# subset does not pull in the Japanese, Korean and Traditional glyph variants.
LAYOUT_FEATURES = ["kern", "vert", "vrt2", "halt", "palt"]

EXTRA_SYMBOLS = "，。、；：？！“”‘’（）《》【】…—·￥※○●□■△▲☆★→←↑↓√×"

EXTRA_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement: names with accents, °, ±, ×, ÷
    (0x2010, 0x2027),  # dashes, quotation marks, bullet, ellipsis
    (0x2030, 0x203B),  # per mille, primes, reference mark
    (0x2460, 0x2473),  # circled numbers ①–⑳
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF01, 0xFF5E),  # full-width forms
    (0xFFE0, 0xFFE6),  # full-width signs: ￠ ￡ ￢ ￣ ￤ ￥ ￦
]


def gb2312_characters() -> tuple[set[str], set[str]]:
    """(symbols of rows 1–9, hanzi of rows 16–87) of GB 2312."""
    symbols: set[str] = set()
    hanzi: set[str] = set()
    for row in range(1, 95):
        for cell in range(1, 95):
            try:
                char = bytes([0xA0 + row, 0xA0 + cell]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            (hanzi if row >= 16 else symbols).add(char)
    return symbols, hanzi


def st_dictionary_candidates() -> dict[str, list[str]]:
    """Every Traditional candidate OpenCC knows for each Simplified character."""
    clib = Path(opencc.__file__).parent / "clib"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "STCharacters.txt"
        subprocess.run(
            [
                str(clib / "bin" / "opencc_dict"),
                "-i",
                str(clib / "share" / "opencc" / "STCharacters.ocd2"),
                "-o",
                str(out),
                "-f",
                "ocd2",
                "-t",
                "text",
            ],
            check=True,
            capture_output=True,
        )
        candidates: dict[str, list[str]] = {}
        for line in out.read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            candidates[key] = values.split()
        return candidates


def character_set() -> str:
    symbols, hanzi = gb2312_characters()
    traditional: set[str] = set()
    converters = [opencc.OpenCC(config) for config in ("s2t", "s2tw", "s2hk")]
    dictionary = st_dictionary_candidates()
    for char in hanzi:
        for converter in converters:
            traditional.update(converter.convert(char))
        traditional.update(dictionary.get(char, []))
    chars = symbols | hanzi | traditional | set(EXTRA_SYMBOLS)
    for start, end in EXTRA_RANGES:
        chars.update(chr(code) for code in range(start, end + 1))
    return "".join(sorted(chars))


def rename(font: TTFont, weight: str) -> None:
    """Call the subset "Wulian Sans": a modified version must not pose as the original."""
    postscript = f"WulianSans-{weight}"
    version = font["name"].getDebugName(5) or ""
    names = {
        1: FAMILY,
        2: weight,
        3: f"{postscript};subset of Noto Sans CJK SC;{version}",
        4: f"{FAMILY} {weight}",
        6: postscript,
        16: FAMILY,
        17: weight,
    }
    table = font["name"]
    # Drop the localised and Macintosh names of the original; keep copyright, licence, authors.
    keep = {0, 7, 8, 9, 10, 11, 12, 13, 14}
    table.names = [
        record
        for record in table.names
        if record.nameID in keep and record.platformID == 3 and record.langID == 0x409
    ]
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
    cff = font["CFF "].cff
    cff.fontNames = [postscript]
    top = cff.topDictIndex[0]
    if hasattr(top, "FDArray"):
        for index, fd in enumerate(top.FDArray):
            if hasattr(fd, "FontName"):
                fd.FontName = f"{postscript}-FD{index}"
    for attribute in ("FullName", "FamilyName"):
        if hasattr(top, attribute):
            setattr(top, attribute, names[4] if attribute == "FullName" else FAMILY)


def build(weight: str, text: str, output_dir: Path) -> Path:
    source = SOURCE_DIR / f"NotoSansCJK-{weight}.ttc"
    options = subset.Options()
    options.layout_features = LAYOUT_FEATURES
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.hinting = False  # printed documents do not need CFF hints; they cost 10 % of size
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.drop_tables += ["BASE", "VORG"]
    font = TTFont(str(source), fontNumber=SC_FACE_INDEX, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    rename(font, weight)
    target = output_dir / f"WulianSans-{weight}.otf"
    font.save(str(target))
    return target


def licence_text() -> str:
    copyright_file = SOURCE_COPYRIGHT.read_text(encoding="utf-8")
    body = copyright_file.split("License: SIL-1.1\n", 2)[-1].split("\nLicense: ", 1)[0]
    lines = [line[1:] if line.startswith(" ") else line for line in body.splitlines()]
    lines = ["" if line == "." else line for line in lines]
    header = (
        "Wulian Sans is a subset of Noto Sans CJK SC, renamed as the licence asks of a\n"
        "Modified Version. Made by scripts/make_font_subset.py.\n\n"
        "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'.\n"
        "Noto is a trademark of Google Inc.\n\n"
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
        "This license is copied below, and is also available with a FAQ at:\n"
        "https://openfontlicense.org\n\n"
    )
    return header + "\n".join(lines).strip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=OUTPUT_DIR)
    args = parser.parse_args(argv)
    output_dir: Path = args.output
    if not SOURCE_DIR.is_dir():
        print(f"{SOURCE_DIR} is missing: apt-get install fonts-noto-cjk", file=sys.stderr)
        return 1
    output_dir.mkdir(parents=True, exist_ok=True)
    text = character_set()
    hanzi = sum(1 for char in text if "\u4e00" <= char <= "\u9fff")
    print(f"{len(text)} characters, {hanzi} of them hanzi")
    for weight in WEIGHTS:
        target = build(weight, text, output_dir)
        print(f"{target}: {target.stat().st_size / 1024 / 1024:.2f} MiB")
    (output_dir / "OFL.txt").write_text(licence_text(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
