# Development broker (Kafka 4.x, KRaft) and object store (versitygw), installed by
# `make system` (scripts/install-kafka.sh, scripts/install-versitygw.sh) and run by
# `idstream up` (src/idstream/devstack). Ports and keys: idstream.settings.
.PHONY: infra-up bench-devstack

infra-up: venv system ## start only the Kafka broker and the object store (`make down` stops them)
	$(VENV)/bin/idstream up --infra-only

bench-devstack: venv system ## start-up times of the dev broker and object store (medians of 5)
	$(PY) -m bench.devstack --runs 5
