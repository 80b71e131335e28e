"""What can be checked of the deployment here, without pulling images or a cluster."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from fastapi.openapi.utils import get_openapi

from api.app import create_app
from infra.settings import Settings

DEPLOY = Path(__file__).parents[2] / "deploy"
K8S = [
    doc
    for f in sorted((DEPLOY / "k8s").glob("*.yaml"))
    for doc in yaml.safe_load_all(f.read_text())
    if doc
]
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
SETTINGS = {f"KETENREGIE_{name.upper()}" for name in Settings.model_fields}
KUBERNETES = "1.31"  # the oldest Kubernetes version the manifests are meant for


def of_kind(kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in K8S if d["kind"] == kind}


def containers() -> list[dict]:
    return [
        c
        for d in of_kind("Deployment").values()
        for c in d["spec"]["template"]["spec"]["containers"]
    ]


def test_the_image_runs_as_non_root_from_pinned_dependencies():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^USER 10001", dockerfile, re.MULTILINE)
    assert all(":latest" not in line for line in dockerfile.splitlines() if line.startswith("FROM"))
    assert "-r requirements.lock" in dockerfile
    lock = [
        line
        for line in (DEPLOY / "requirements.lock").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lock and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[^=\s]+", line) for line in lock)


def test_the_lock_pins_every_dependency_of_the_project():
    deps = tomllib.loads((DEPLOY.parent / "pyproject.toml").read_text())["project"]["dependencies"]
    wanted = {re.split(r"[<>=\[ ]", d, maxsplit=1)[0].lower().replace("_", "-") for d in deps}
    locked = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (DEPLOY / "requirements.lock").read_text().splitlines()
        if "==" in line
    }
    assert wanted - locked == set()


def test_every_setting_named_in_a_manifest_exists():
    """A misspelt variable would be ignored silently by pydantic-settings."""
    named = set()
    for d in of_kind("ConfigMap").values():
        named |= set(d["data"])
    for c in containers():
        named |= {e["name"] for e in c.get("env", [])}
    for service in COMPOSE["services"].values():
        named |= {k for k in (service.get("environment") or {}) if k.startswith("KETENREGIE_")}
    assert named - SETTINGS == set()


def test_deployments_are_non_root_ready_and_get_their_secrets_by_reference():
    deployments = of_kind("Deployment")
    assert set(deployments) == {"ketenregie-api", "ketenregie-worker"}
    secrets, configs = of_kind("Secret"), of_kind("ConfigMap")
    for d in deployments.values():
        pod = d["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for c in pod["containers"]:
            assert c["readinessProbe"]
            assert c["securityContext"]["allowPrivilegeEscalation"] is False
            refs = c["envFrom"]
            assert {r["secretRef"]["name"] for r in refs if "secretRef" in r} <= set(secrets)
            assert {r["configMapRef"]["name"] for r in refs if "configMapRef" in r} <= set(configs)
    api = deployments["ketenregie-api"]["spec"]["template"]["spec"]["containers"][0]
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert all(not s.get("stringData") and not s.get("data") for s in secrets.values())


def test_workers_scale_horizontally():
    [hpa] = of_kind("HorizontalPodAutoscaler").values()
    assert hpa["spec"]["scaleTargetRef"]["name"] == "ketenregie-worker"
    assert hpa["spec"]["minReplicas"] >= 2


def test_compose_has_the_whole_system_and_no_secret_values():
    assert {"temporal", "temporal-ui", "postgres", "worker", "api", "otel-collector"} <= set(
        COMPOSE["services"]
    )
    assert COMPOSE["services"]["temporal"]["image"].startswith("temporalio/auto-setup:")
    assert COMPOSE["services"]["temporal"]["environment"]["DB"] == "postgres12"
    text = (DEPLOY / "compose.yaml").read_text()
    for secret in ("PASSWORD", "CODEC_KEYS", "WEBHOOK_SECRETS"):
        for value in re.findall(rf"{secret}[A-Z_]*: (.+)", text):
            assert value.startswith("${"), value


def test_the_temporal_ui_decodes_through_our_codec_endpoint():
    app = create_app(Settings())
    paths = set(get_openapi(title="all routes", version="0", routes=app.routes)["paths"])
    ui = COMPOSE["services"]["temporal-ui"]["environment"]["TEMPORAL_CODEC_ENDPOINT"]
    helm = yaml.safe_load((DEPLOY / "helm" / "temporal-values.yaml").read_text())
    [helm_ui] = [
        e["value"] for e in helm["web"]["additionalEnv"] if e["name"] == "TEMPORAL_CODEC_ENDPOINT"
    ]
    for endpoint in (ui, helm_ui):
        path = "/" + endpoint.split("://", 1)[1].split("/", 1)[1]
        assert f"{path}/decode" in paths
    assert helm["server"]["config"]["persistence"]["default"]["sql"]["driver"] == "postgres12"


@pytest.mark.parametrize(
    "path", ["otel-collector.yaml", "compose.yaml", "helm/temporal-values.yaml"]
)
def test_yaml_files_parse(path):
    assert yaml.safe_load((DEPLOY / path).read_text())


@pytest.mark.parametrize("doc", K8S, ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_every_manifest_is_valid_against_the_kubernetes_schemas(doc):
    """Strict: an unknown or misspelt field is an error, as `kubectl apply --validate` says."""
    kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def test_the_schema_check_catches_a_misspelt_field():
    deployment = next(iter(of_kind("Deployment").values()))
    broken = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)


HELM = yaml.safe_load((DEPLOY / "helm" / "temporal-values.yaml").read_text())


def mounted(pod: dict, mounts_key: str = "volumeMounts") -> dict[str, dict]:
    """A pod's (or a Helm component's) mounted secrets: mount path -> volume."""
    volumes = {v["name"]: v for v in pod.get("volumes") or pod.get("additionalVolumes", [])}
    return {m["mountPath"]: volumes[m["name"]] for m in pod[mounts_key] if m["name"] in volumes}


def from_a_secret(path: str, mounts: dict[str, dict]) -> bool:
    return any(path.startswith(root + "/") and "secret" in v for root, v in mounts.items())


def test_temporal_takes_only_mutual_tls_from_certificates_of_our_ca():
    tls = HELM["server"]["config"]["tls"]
    mounts = mounted(HELM["server"], "additionalVolumeMounts")
    for side in ("frontend", "internode"):
        server = tls[side]["server"]
        assert server["requireClientAuth"] is True, side
        assert server["clientCaFiles"], side
        for path in (server["certFile"], server["keyFile"], *server["clientCaFiles"]):
            assert from_a_secret(path, mounts), path
    # the UI reads through the same door, and cannot send commands past ketenregie
    web = {e["name"]: e["value"] for e in HELM["web"]["additionalEnv"]}
    assert web["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"
    web_mounts = mounted(HELM["web"], "additionalVolumeMounts")
    for name in ("TEMPORAL_TLS_CA", "TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY"):
        assert from_a_secret(web[name], web_mounts), name


def test_ketenregie_connects_with_its_client_certificate():
    [config] = [
        d["data"]
        for d in of_kind("ConfigMap").values()
        if "KETENREGIE_TEMPORAL_ADDRESS" in d["data"]
    ]
    files = [config[f"KETENREGIE_TEMPORAL_TLS_{part}"] for part in ("CA", "CERT", "KEY")]
    for d in of_kind("Deployment").values():
        pod = d["spec"]["template"]["spec"]
        for c in pod["containers"]:
            mounts = mounted({"volumes": pod["volumes"], "volumeMounts": c["volumeMounts"]})
            assert all(from_a_secret(f, mounts) for f in files), d["metadata"]["name"]


def test_only_the_api_the_worker_and_temporal_itself_reach_the_frontend():
    [door] = of_kind("NetworkPolicy").values()
    assert door["metadata"]["namespace"] == "temporal"
    assert door["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "frontend"
    assert door["spec"]["policyTypes"] == ["Ingress"]
    peers = [peer for rule in door["spec"]["ingress"] for peer in rule["from"]]
    assert all(rule.get("from") for rule in door["spec"]["ingress"])  # none open to all
    outside = [p for p in peers if "namespaceSelector" in p]
    assert [p["namespaceSelector"]["matchLabels"] for p in outside] == [
        {"kubernetes.io/metadata.name": "ketenregie"}
    ]
    [names] = [e["values"] for e in outside[0]["podSelector"]["matchExpressions"]]
    assert set(names) == set(of_kind("Deployment"))
    inside = [p["podSelector"]["matchLabels"] for p in peers if "namespaceSelector" not in p]
    assert inside == [{"app.kubernetes.io/name": "temporal"}]  # its own namespace only
