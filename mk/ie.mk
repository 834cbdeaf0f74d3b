# Graph information extraction (issue 6): the shipped identity model and the benchmark.
# `make train` regenerates its data from the generator's recipe (no files needed) and
# rewrites src/idstream/models/identity-gnn.pt + identity-gnn.json (recipe, seed, metrics).
.PHONY: train bench-ie bench-ie-quick

IE_THREADS ?= 2

train: venv ## train the shipped identity graph model (src/idstream/models/identity-gnn.pt), <= 20 min on 2 cores
	nice -n 10 $(PY) -m idstream.graph_ie.recipe --out src/idstream/models/identity-gnn.pt --threads $(IE_THREADS)

bench-ie: venv ## graph-IE benchmark: SROIE 5-fold CV + end-to-end, identity held-out layouts, ablation, speed -> bench/results/ie.md
	nice -n 10 $(PY) -m bench.ie all --sroie

bench-ie-quick: venv ## reprint bench/results/ie.md from the saved parts
	$(PY) -m bench.ie table
