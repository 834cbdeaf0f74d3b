"""Every kustomize overlay renders, validates offline and matches what the code reads."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from deploy_manifests import (
    DEPLOY,
    OVERLAYS,
    ROOT,
    Manifest,
    by_name,
    container_env,
    objects_of,
    pod_specs,
    stage_of,
)

from idstream.settings import Settings, load_settings
from idstream.topics import STAGES, Topics

#: Kubernetes versions the manifests must be valid for (preStop ``sleep`` and
#: ``matchLabelKeys`` in pod affinity need 1.31).
K8S_VERSIONS = ("1.31.0", "1.34.0")
SCHEMAS = DEPLOY / "schemas"
SETTINGS_ENV = set(Settings().env())
REQUIRED_ENV = {
    "IDSTREAM_KAFKA_BOOTSTRAP",
    "IDSTREAM_TOPIC_PREFIX",
    "IDSTREAM_S3_ENDPOINT",
    "IDSTREAM_S3_BUCKET",
    "IDSTREAM_S3_ACCESS_KEY",
    "IDSTREAM_S3_SECRET_KEY",
    "IDSTREAM_S3_SECURE",
    "IDSTREAM_METRICS_PORT",
    "IDSTREAM_RUN_DIR",
}
#: Secrets the manifests use but do not create: the database Secret comes from
#: CloudNativePG (Cluster idstream-db) or an external database, the S3 keys of prod
#: and the TLS certificate from the operator of the cluster.
EXTERNAL_SECRETS = {"idstream-db-app", "idstream-s3", "idstream-review", "idstream-tls", "idstream-grpc"}
#: Variables outside Settings that a service reads itself: the module that reads them.
EXTRA_ENV = {"review": ("src/idstream/cli/serve.py", {"IDSTREAM_STORE_URL"})}


def quantity(value: str | int) -> float:
    """A Kubernetes quantity (``500m``, ``2``, ``1536Mi``, ``3Gi``) as a number."""
    text = str(value)
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    for suffix, factor in sorted(units.items(), key=lambda kv: -len(kv[0])):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def crd_schema(obj: Manifest) -> dict[str, Any] | None:
    group, _, version = obj["apiVersion"].rpartition("/")
    path = SCHEMAS / group / version / f"{obj['kind']}.json"
    return json.loads(path.read_text()) if group and path.exists() else None


def is_builtin(obj: Manifest) -> bool:
    group = obj["apiVersion"].rpartition("/")[0]
    return group == "" or group.endswith(".k8s.io") or "." not in group


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_every_service(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    deployments = objects_of(rendered[overlay], "Deployment")
    stages = {stage_of(c) for d in deployments for c in d["spec"]["template"]["spec"]["containers"]}
    assert {*STAGES, "gateway", "review"} <= stages


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("k8s_version", K8S_VERSIONS)
def test_builtin_objects_validate_against_kubernetes_schemas(
    rendered: dict[str, list[Manifest]], overlay: str, k8s_version: str
) -> None:
    errors = []
    for obj in filter(is_builtin, rendered[overlay]):
        try:
            kubernetes_validate.validate(obj, k8s_version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message} at {list(exc.path)}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_custom_resources_validate_against_their_schemas(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    custom = [o for o in rendered[overlay] if not is_builtin(o)]
    assert {o["kind"] for o in custom} >= {"Kafka", "KafkaNodePool", "KafkaTopic"}
    for obj in custom:
        schema = crd_schema(obj)
        assert schema is not None, f"no schema in deploy/schemas for {obj['apiVersion']} {obj['kind']}"
        jsonschema.validate(obj, schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("spec", "maxReplicas"), 3),  # misspelt maxReplicaCount
        (("spec", "triggers", 0, "metadata", "lagThreshold"), 5),  # KEDA wants strings
        (("spec", "triggers", 0, "metadata", "consumerGroupp"), "x"),
    ],
)
def test_scaledobject_schema_rejects_mistakes(
    rendered: dict[str, list[Manifest]], path: tuple[Any, ...], value: object
) -> None:
    obj = json.loads(json.dumps(objects_of(rendered["prod"], "ScaledObject")[0]))
    node = obj
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    schema = crd_schema(obj)
    assert schema is not None
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(obj, schema, cls=jsonschema.Draft202012Validator)


def test_kafka_schemas_reject_mistakes(rendered: dict[str, list[Manifest]]) -> None:
    topic = json.loads(json.dumps(objects_of(rendered["prod"], "KafkaTopic")[0]))
    topic["spec"]["partitions"] = 0
    kafka = json.loads(json.dumps(objects_of(rendered["prod"], "Kafka")[0]))
    kafka["spec"]["kafka"]["listeners"][0]["name"] = "Plain_Listener"
    pool = json.loads(json.dumps(objects_of(rendered["prod"], "KafkaNodePool")[0]))
    pool["spec"]["roles"] = ["zookeeper"]
    for obj in (topic, kafka, pool):
        schema = crd_schema(obj)
        assert schema is not None
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(obj, schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_container_env_matches_settings(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    objects = rendered[overlay]
    seen = set()
    for owner, spec in pod_specs(objects):
        for container in spec["containers"]:
            env = container_env(container, objects)
            name = f"{owner['kind']}/{owner['metadata']['name']}"
            stage = stage_of(container)
            source, extra = EXTRA_ENV.get(stage or "", ("", set()))
            unknown = {k for k in env if k.startswith("IDSTREAM_")} - SETTINGS_ENV - extra
            assert not unknown, f"{name} sets variables idstream.settings.Settings does not read: {unknown}"
            for var in extra & env.keys():
                assert var in (ROOT / source).read_text(), f"{source} does not read {var}"
            if stage is None:
                continue
            seen.add(stage)
            if stage == "review":
                required = {"IDSTREAM_DB_URL", "IDSTREAM_STORE_URL"}
            else:
                required = REQUIRED_ENV | {
                    "sink": {"IDSTREAM_DB_URL"},
                    "gateway": {"IDSTREAM_GRPC_PORT"},
                }.get(stage, set())
            missing = required - env.keys()
            assert not missing, f"{name} lacks {missing}"
            # the plain values parse as the settings' types
            settings = load_settings({k: v for k, v in env.items() if isinstance(v, str)})
            ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
            if stage != "review":
                assert ports.get("metrics") == settings.metrics_port, name
            if stage == "gateway":
                assert ports.get("grpc") == settings.grpc_port, name
    assert {*STAGES, "gateway", "review"} <= seen


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_references_resolve(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    objects = rendered[overlay]
    secrets = set(by_name(objects, "Secret")) | EXTERNAL_SECRETS
    accounts = set(by_name(objects, "ServiceAccount"))
    for owner, spec in pod_specs(objects):
        name = owner["metadata"]["name"]
        assert spec.get("serviceAccountName") in accounts, name
        for container in spec["containers"] + spec.get("initContainers", []):
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] in secrets, (
                        f"{name}: Secret {ref['name']} is neither rendered nor external"
                    )
    if "idstream-db-app" not in by_name(objects, "Secret"):
        clusters = by_name(objects, "Cluster")
        assert "idstream-db" in clusters, "no CloudNativePG Cluster creates the Secret idstream-db-app"
    for ingress in objects_of(objects, "Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                service = by_name(objects, "Service")[backend["name"]]
                assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_select_pods_and_ports(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    objects = rendered[overlay]
    for service in objects_of(objects, "Service"):
        selector = service["spec"]["selector"]
        matches = [
            d
            for d in objects_of(objects, "Deployment")
            if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert matches, f"Service {service['metadata']['name']} selects no pod"
        ports = {
            p["name"]
            for d in matches
            for c in d["spec"]["template"]["spec"]["containers"]
            for p in c["ports"]
        }
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports, (
                f"{service['metadata']['name']}: no container port {port['targetPort']}"
            )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_are_hardened_sized_and_probed(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    for owner, spec in pod_specs(rendered[overlay]):
        name = owner["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] > 0, name
        assert spec.get("automountServiceAccountToken") is False, name
        for container in spec["containers"] + spec.get("initContainers", []):
            ctx = container["securityContext"]
            assert ctx["readOnlyRootFilesystem"] is True, name
            assert ctx["allowPrivilegeEscalation"] is False, name
            assert ctx["capabilities"]["drop"] == ["ALL"], name
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= container["resources"][kind].keys(), f"{name}: {kind}"
            threads = {e["name"]: e.get("value") for e in container.get("env", [])}.get("OMP_NUM_THREADS")
            if threads is not None:  # more compute threads than CPUs only adds throttling
                assert int(threads) <= max(1, quantity(container["resources"]["limits"]["cpu"])), name
            image = container["image"]
            assert re.search(r":[\w.-]+$|@sha256:", image) and not image.endswith(":latest"), image
        if owner["kind"] != "Deployment":
            continue
        for container in spec["containers"]:
            stage = stage_of(container)
            if stage in (None, "review"):
                ports = {p["name"] for p in container["ports"]}
                for probe in ("livenessProbe", "readinessProbe"):
                    action = container[probe].get("httpGet") or container[probe].get("tcpSocket")
                    assert action["port"] in ports, f"{name}: {probe} on an undeclared port"
                continue
            assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}, name
            assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}, name
            mounts = {m["mountPath"] for m in container["volumeMounts"]}
            assert container_env(container, rendered[overlay])["IDSTREAM_RUN_DIR"] in mounts, name
            assert "/tmp" in mounts, name
            assert owner["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] == "9100"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_topics_are_the_pipelines(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    config = by_name(rendered[overlay], "ConfigMap")["idstream-config"]["data"]
    topics = {
        t["spec"].get("topicName", t["metadata"]["name"]) for t in objects_of(rendered[overlay], "KafkaTopic")
    }
    assert topics == set(Topics(config["IDSTREAM_TOPIC_PREFIX"]).all())
    for topic in objects_of(rendered[overlay], "KafkaTopic"):
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "idstream"
        assert int(topic["spec"]["config"]["retention.ms"]) > 0
        assert topic["spec"]["config"]["min.insync.replicas"] <= topic["spec"]["replicas"]


def test_scaledobjects_follow_consumer_groups_and_partitions(rendered: dict[str, list[Manifest]]) -> None:
    objects = rendered["prod"]
    config = by_name(objects, "ConfigMap")["idstream-config"]["data"]
    prefix = config["IDSTREAM_TOPIC_PREFIX"]
    deployments = by_name(objects, "Deployment")
    partitions = {t["metadata"]["name"]: t["spec"]["partitions"] for t in objects_of(objects, "KafkaTopic")}
    scaled = by_name(objects, "ScaledObject")
    stages = {}
    for name, obj in scaled.items():
        target = deployments[obj["spec"]["scaleTargetRef"]["name"]]
        stage = stage_of(target["spec"]["template"]["spec"]["containers"][0])
        assert stage in STAGES, name
        stages[stage] = obj
        spec = importlib.import_module(f"services.{stage}").SPEC
        (trigger,) = obj["spec"]["triggers"]
        meta = trigger["metadata"]
        assert trigger["type"] == "kafka"
        assert meta["consumerGroup"] == f"{prefix}-{stage}"  # the faust app id of streaming.service.build_app
        assert meta["topic"] == spec.input_topic(Topics(prefix))
        assert meta["bootstrapServers"] == config["IDSTREAM_KAFKA_BOOTSTRAP"]
        assert (
            1 <= obj["spec"]["minReplicaCount"] <= obj["spec"]["maxReplicaCount"] <= partitions[meta["topic"]]
        )
    assert set(stages) == set(STAGES)
    assert stages["ocr"]["spec"]["maxReplicaCount"] == max(
        s["spec"]["maxReplicaCount"] for s in stages.values()
    )


def test_dev_is_single_replica_without_autoscaling(rendered: dict[str, list[Manifest]]) -> None:
    objects = rendered["dev"]
    assert not objects_of(objects, "ScaledObject")
    assert not objects_of(objects, "PodDisruptionBudget")
    for deployment in objects_of(objects, "Deployment"):
        assert deployment["spec"]["replicas"] == 1
    assert all(t["spec"]["replicas"] == 1 for t in objects_of(objects, "KafkaTopic"))
    assert objects_of(objects, "KafkaNodePool")[0]["spec"]["replicas"] == 1
    prod = by_name(rendered["prod"], "Deployment")
    for deployment in objects_of(objects, "Deployment"):
        name = deployment["metadata"]["name"]
        if name not in prod:
            continue
        dev_res = deployment["spec"]["template"]["spec"]["containers"][0]["resources"]
        prod_res = prod[name]["spec"]["template"]["spec"]["containers"][0]["resources"]
        for kind in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                assert quantity(dev_res[kind][resource]) <= quantity(prod_res[kind][resource]), (name, kind)
        assert quantity(dev_res["requests"]["memory"]) < quantity(prod_res["requests"]["memory"]), name


def test_prod_has_budgets_spread_and_a_gpu_ocr(rendered: dict[str, list[Manifest]]) -> None:
    objects = rendered["prod"]
    budgets = objects_of(objects, "PodDisruptionBudget")
    scaled = {o["spec"]["scaleTargetRef"]["name"]: o for o in objects_of(objects, "ScaledObject")}
    for deployment in objects_of(objects, "Deployment"):
        name = deployment["metadata"]["name"]
        template = deployment["spec"]["template"]
        assert "podAntiAffinity" in template["spec"]["affinity"], name
        replicas = (
            scaled[name]["spec"]["minReplicaCount"] if name in scaled else deployment["spec"]["replicas"]
        )
        if replicas < 2:
            continue
        assert deployment["spec"]["replicas"] >= 2, name
        covering = [
            b
            for b in budgets
            if b["spec"]["selector"]["matchLabels"].items() <= template["metadata"]["labels"].items()
        ]
        assert len(covering) == 1, f"{name}: {len(covering)} PodDisruptionBudgets"
    gpu = [
        c
        for d in objects_of(objects, "Deployment")
        for c in d["spec"]["template"]["spec"]["containers"]
        if "nvidia.com/gpu" in c["resources"]["limits"]
    ]
    assert [stage_of(c) for c in gpu] == ["ocr"]


def test_settings_env_names_are_what_the_code_reads() -> None:
    # guards the comparison above: Settings.env() must name every field
    assert {"IDSTREAM_" + f.upper() for f in Settings.__dataclass_fields__} == SETTINGS_ENV
    assert REQUIRED_ENV <= SETTINGS_ENV


def test_schemas_are_valid_json_schema() -> None:
    paths = sorted(SCHEMAS.rglob("*.json"))
    assert len(paths) >= 5
    for path in paths:
        jsonschema.Draft202012Validator.check_schema(json.loads(Path(path).read_text()))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_addresses_point_at_rendered_services(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """The broker and object-store addresses of the ConfigMap name what the overlay runs
    (fully qualified: KEDA resolves them from its own namespace)."""
    objects = rendered[overlay]
    namespaces = {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"}
    assert namespaces == {"idstream"}
    config = by_name(objects, "ConfigMap")["idstream-config"]["data"]
    (kafka,) = objects_of(objects, "Kafka")
    plain = next(
        li for li in kafka["spec"]["kafka"]["listeners"] if li["type"] == "internal" and not li["tls"]
    )
    expected = f"{kafka['metadata']['name']}-kafka-bootstrap.idstream.svc:{plain['port']}"
    assert config["IDSTREAM_KAFKA_BOOTSTRAP"] == expected
    s3 = by_name(objects, "Service").get("s3")
    if s3 is not None:  # the self-hosted object store
        assert config["IDSTREAM_S3_ENDPOINT"] == f"s3.idstream.svc:{s3['spec']['ports'][0]['port']}"
        assert config["IDSTREAM_S3_SECURE"] == "false"
    else:
        assert config["IDSTREAM_S3_SECURE"] == "true", "an external object store is reached over TLS"
