# Results store, review routing and the review web application (issue 8).

.PHONY: review review-demo review-test review-screenshots retrain-review db-upgrade

REVIEW_DB ?= sqlite:///data/review-demo/results.db
REVIEW_PORT ?= 8080
REVIEW_SINCE ?= 1970-01-01
REVIEW_EXPORT ?= data/review-export
REVIEW_BASE_DATA ?=
REVIEW_MODEL ?= .cache/models/identity-gnn-review.pt
REVIEW_EPOCHS ?= 25

review-demo: venv ## a demo results database with synthetic documents (data/review-demo)
	$(PY) -m bench.review_demo --db $(REVIEW_DB)

review: venv ## serve the review app on 127.0.0.1:$(REVIEW_PORT) (admin from IDSTREAM_ADMIN_USER/IDSTREAM_ADMIN_PASSWORD)
	$(PY) -m idstream.cli serve review --db $(REVIEW_DB) --port $(REVIEW_PORT) \
		$(if $(IDSTREAM_ADMIN_USER),--create-admin $(IDSTREAM_ADMIN_USER))

db-upgrade: venv ## apply the results-store migrations to $(REVIEW_DB)
	$(PY) -m idstream.cli db upgrade --db $(REVIEW_DB)

review-test: venv ## unit tests, then PostgreSQL + headless Chromium end-to-end tests
	$(PY) -m pytest -q tests/unit/sink tests/unit/review
	$(PY) -m pytest -q -m integration tests/integration/review

review-screenshots: venv ## docs/img/review-*.png from headless Chromium
	$(PY) bench/review_screenshots.py --out docs/img

retrain-review: venv ## export reviewers' corrections and retrain the graph-IE model on them (+ REVIEW_BASE_DATA)
	$(PY) -m idstream.cli export-annotations --db $(REVIEW_DB) --since $(REVIEW_SINCE) --out $(REVIEW_EXPORT) --no-images
	$(PY) -m idstream.cli train --data $(REVIEW_EXPORT) $(REVIEW_BASE_DATA) --out $(REVIEW_MODEL) --epochs $(REVIEW_EPOCHS)
