# Operations (issue 9): Kubernetes manifests (deploy/k8s, kustomize), Grafana
# dashboards (deploy/grafana), Prometheus rules (deploy/prometheus), the image
# (Dockerfile). See docs/deploy.md.
.PHONY: deploy-render deploy-check deploy-dashboards deploy-diagram

KUSTOMIZE := .cache/bin/kustomize
DEPLOY_OVERLAYS := dev prod

$(KUSTOMIZE): scripts/install-kustomize.sh
	bash scripts/install-kustomize.sh

deploy-render: $(KUSTOMIZE) ## render every overlay of deploy/k8s into out/k8s/<overlay>.yaml
	@mkdir -p out/k8s
	@for o in $(DEPLOY_OVERLAYS); do \
		$(KUSTOMIZE) build deploy/k8s/overlays/$$o > out/k8s/$$o.yaml || exit 1; \
		echo "out/k8s/$$o.yaml: $$(grep -c '^kind:' out/k8s/$$o.yaml) objects"; \
	done

deploy-check: venv $(KUSTOMIZE) ## validate manifests, rules (promtool), dashboards, Dockerfile; live Prometheus test
	promtool check rules deploy/prometheus/rules/*.yml
	cd deploy/prometheus && promtool test rules tests/*.yml
	$(PY) -m pytest -q tests/deploy

deploy-dashboards: venv ## regenerate deploy/grafana/dashboards/*.json from deploy/grafana/dashboards.py
	$(PY) deploy/grafana/dashboards.py

deploy-diagram: ## redraw docs/img/architecture.png from deploy/architecture.dot (Graphviz)
	@mkdir -p docs/img
	dot -Tpng -Gdpi=110 deploy/architecture.dot -o docs/img/architecture.png
