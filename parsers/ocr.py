"""Text for scanned PDF pages, by OCR (the optional extra ``ocr``: rapidocr on onnxruntime).

Off by default: 5–10 s a page on this CPU. rapidocr's wheels ship their models, so nothing is fetched at
run time. The recognised boxes are regrouped into lines, left to right, with a tab between boxes, so a
scanned table comes out as tab-separated rows the parser reads like any text table.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pypdfium2 as pdfium

from parsers.document import ExtractionError

#: Rendering resolution: 150 dpi recovered every table-三 cell of clean scans in our measurements.
SCALE = 150 / 72
#: Two boxes are on one line when their vertical centres are closer than this share of a box's height.
SAME_LINE = 0.5


def available() -> bool:
    try:
        import rapidocr  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _engine() -> Any:
    try:
        from rapidocr import RapidOCR
    except ImportError as error:
        raise ExtractionError("OCR needs the optional extra: uv sync --extra ocr (rapidocr)") from error
    return RapidOCR(params={"Global.log_level": "warning"})


def page_text(page: pdfium.PdfPage) -> str:
    """The text of one page image, line by line."""
    result = _engine()(page.render(scale=SCALE).to_numpy())
    if not result.txts:
        return ""
    boxes = [
        (min(y for _, y in box), max(y for _, y in box), min(x for x, _ in box), text)
        for box, text in zip(result.boxes.tolist(), result.txts, strict=True)
    ]
    return "\n".join("\t".join(text for *_, text in line) for line in _lines(boxes))


def _lines(boxes: list[tuple[float, float, float, str]]) -> list[list[tuple[float, float, float, str]]]:
    """Group (top, bottom, left, text) boxes into lines, top to bottom, each line left to right."""
    lines: list[list[tuple[float, float, float, str]]] = []
    for box in sorted(boxes, key=lambda box: (box[0] + box[1]) / 2):
        top, bottom = box[0], box[1]
        if lines:
            last = lines[-1][0]
            height = max(bottom - top, last[1] - last[0], 1.0)
            if abs((top + bottom) / 2 - (last[0] + last[1]) / 2) < SAME_LINE * height:
                lines[-1].append(box)
                continue
        lines.append([box])
    return [sorted(line, key=lambda box: box[2]) for line in lines]
