# Reliability: the fault test on the real broker and object store (also part of `make test`).

.PHONY: test-faults

test-faults: venv system ## 500 documents while services are killed, the broker restarts and the store goes away
	$(PY) -m pytest -q -s -m faults tests/faults
