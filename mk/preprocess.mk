# The preprocess stage (issue 4): benchmark and refitting its small learned parts.
.PHONY: bench-preprocess train-preprocess

bench-preprocess: venv ## preprocess accuracy, ms per 12-MP photo, field-accuracy ablation -> bench/results/preprocess.{md,json}
	$(PY) -m bench.preprocess --n 200 --seed 777001 --timing-n 20 --ablation 30

train-preprocess: venv ## refit the card ranker and orientation model (src/idstream/models/preprocess.json)
	$(PY) -m idstream.cli synth --out data/pp/train --n 680 --seed 5001 --distort photo=0.85,scan=0.15 --workers 2
	$(PY) -m idstream.preprocess.train --data data/pp/train --out src/idstream/models/preprocess.json
