# The local streaming stack and the pipeline benchmark (issue: foundation).

.PHONY: up down status bench

up: venv system ## start broker, object store, the four services and the gateway (background, .run/)
	$(VENV)/bin/idstream up

down: venv ## stop everything `make up` started
	$(VENV)/bin/idstream down

status: venv
	$(VENV)/bin/idstream status

bench: venv system ## embedded vs streaming: docs/s and per-stage latency on the same images
	$(PY) -m bench.pipeline --n 20
