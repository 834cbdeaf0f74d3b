# MRZ reading and document checks (issue 7).
.PHONY: bench-mrz test-mrz

bench-mrz: venv ## MRZ benchmark: exact MRZs/lines, valid check digits, ms per document (markdown table)
	nice -n 5 $(PY) -m bench.mrz

test-mrz: venv ## unit tests of MRZ parsing, repair, reading and the document checks
	$(PY) -m pytest -q tests/unit/mrz tests/unit/checks
