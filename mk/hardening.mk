# Hostile input, fuzzing, personal data and access control (docs/security.md).
# All of these also run in `make test`; the targets run them alone or longer.
.PHONY: test-hardening fuzz store-key grpc-token

test-hardening: venv ## hostile-input corpus, malformed messages, privacy, encryption/erasure, gRPC auth, short fuzzing
	$(PY) -m pytest -q tests/hostile tests/privacy tests/fuzz tests/unit/security

FUZZ_SECONDS ?= 300
fuzz: venv ## fuzz the image decoder, the protobuf handlers and the MRZ parser for FUZZ_SECONDS each
	IDSTREAM_FUZZ_SECONDS=$(FUZZ_SECONDS) $(PY) -m pytest -q -s tests/fuzz

store-key: venv ## print a new object-store encryption key (IDSTREAM_STORE_KEY, for a Secret)
	@$(PY) -c "from idstream.security.crypto import generate_key_spec; print(generate_key_spec('k1'))"

grpc-token: venv ## print a new gRPC token and the sha256 form for IDSTREAM_GRPC_TOKENS
	@$(PY) -c "from idstream.security.tokens import new_token, hash_token; t = new_token(); print('token:', t); print('IDSTREAM_GRPC_TOKENS=' + hash_token(t))"
