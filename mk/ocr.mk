# OCR stage (issue 5): benchmark of the fast EasyOCR engine against stock EasyOCR and Tesseract 5.
.PHONY: bench-ocr test-ocr

OCR_BENCH_N ?= 30
OCR_BENCH_PASSPORTS ?= 12

bench-ocr: venv ## OCR speed and CER: idstream fast vs stock EasyOCR vs Tesseract 5 (writes bench/results/ocr.md)
	nice -n 5 $(PY) -m bench.ocr --n $(OCR_BENCH_N) --passports $(OCR_BENCH_PASSPORTS)

test-ocr: venv ## unit tests of the OCR stage
	$(PY) -m pytest -q tests/unit/ocr
