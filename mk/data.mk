# Synthetic identity documents (issue 3): the versioned training/validation/test sets,
# the generator benchmark and the documentation grid. Generated data lives under
# data/synth/ (git-ignored) and is never committed.
.PHONY: data bench-synth docs-synth-grid

SYNTH_SETS ?= train val test-heldout-scan test-heldout-photo
SYNTH_WORKERS ?= 2

data: venv ## generate the synthetic sets of src/idstream/synth/recipes.json into data/synth/<set>/ (skips sets already up to date)
	@for set in $(SYNTH_SETS); do \
		nice -n 10 $(PY) -m idstream.cli synth --recipe $$set --out data/synth/$$set --workers $(SYNTH_WORKERS) || exit 1; \
	done

bench-synth: venv ## generator speed: documents/s on one core for --distort none, scan, photo
	$(PY) -m bench.synth

docs-synth-grid: venv ## redraw docs/img/synth-grid.png (sample documents of the generator)
	$(PY) -m bench.synth_grid --out docs/img/synth-grid.png
