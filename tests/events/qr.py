"""Reading the QR codes printed into our PDFs back, with a real decoder (zxing-cpp)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import zxingcpp
from PIL import Image


def decode_image(image: Image.Image) -> str:
    found = [r for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(found) == 1, f"expected one QR code, found {len(found)}"
    return str(found[0].text)


def decode_pdf(pdf: Path) -> list[str]:
    """Every QR code embedded as an image in a PDF, read back from the images themselves."""
    out = pdf.parent / f"{pdf.stem}-images"
    out.mkdir(exist_ok=True)
    subprocess.run(["pdfimages", "-png", str(pdf), str(out / "img")], check=True)
    return [decode_image(Image.open(path)) for path in sorted(out.glob("img-*.png"))]
