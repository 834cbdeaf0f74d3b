from __future__ import annotations

import cv2
import numpy as np

from idstream.mrz.locate import crop_line, locate_mrz

LINES = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]


def _page(angle: float = 0.0) -> np.ndarray:
    page = np.full((880, 1250), 235, np.uint8)
    cv2.putText(page, "PASSPORT  UTOPIA", (80, 120), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 40, 3)
    cv2.rectangle(page, (80, 200), (380, 560), 120, -1)  # a photo
    for i, text in enumerate(("ERIKSSON", "ANNA MARIA", "UTOPIAN")):
        cv2.putText(page, text, (450, 260 + 70 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 30, 2)
    for i, line in enumerate(LINES):
        cv2.putText(page, line, (60, 740 + 60 * i), cv2.FONT_HERSHEY_PLAIN, 2.0, 20, 2)
    if angle:
        rot = cv2.getRotationMatrix2D((625, 440), angle, 1.0)
        page = cv2.warpAffine(page, rot, (1250, 880), borderValue=235)
    return page


def test_locates_two_mrz_lines_at_the_bottom() -> None:
    bands = locate_mrz(_page())
    assert bands
    best = bands[0]
    assert len(best.lines) == 2
    ys = [line.center[1] for line in best.lines]
    assert 700 < ys[0] < ys[1] < 830
    assert all(line.size[0] > 700 for line in best.lines)


def test_slightly_rotated_band_is_found_and_deskewed() -> None:
    bands = locate_mrz(_page(angle=3.0))
    assert bands and len(bands[0].lines) == 2
    assert all(abs(abs(line.angle) - 3.0) < 1.0 for line in bands[0].lines)
    crop = crop_line(_page(angle=3.0), bands[0].lines[0], height=32)
    assert crop.shape[0] == 32
    assert crop.shape[1] > 20 * 32


def test_blank_page_has_no_band() -> None:
    assert locate_mrz(np.full((600, 900), 240, np.uint8)) == []
