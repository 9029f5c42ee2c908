"""deploy/: both Kustomize overlays render, every manifest validates against the Kubernetes schemas offline, and the
pieces agree with each other, with the Containerfile and with the workshop proxy."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from deploy.workshop import AFFINITY_COOKIE, HEALTH
from explorer.model.catalog import load_catalog
from tests.kustomize import KustomizeError, render, strategic_merge

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
OVERLAYS = {"openshift": DEPLOY / "overlays" / "openshift", "kubernetes": DEPLOY / "overlays" / "kubernetes"}
# OpenShift 4.16 runs Kubernetes 1.29; 1.37 is the newest schema kubernetes-validate ships.
K8S_VERSIONS = ("1.29.0", "1.37.0")
LABELS = {"app.kubernetes.io/name": "deployment-scenario-explorer"}


@pytest.fixture(scope="module", params=sorted(OVERLAYS))
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    return request.param, render(OVERLAYS[request.param])


def test_each_overlay_renders_the_app_and_its_way_in(rendered):
    name, manifests = rendered
    kinds = sorted(m["kind"] for m in manifests)
    way_in = {"openshift": "Route", "kubernetes": "Ingress"}[name]
    assert kinds == sorted(["ConfigMap", "ConfigMap", "Deployment", "HorizontalPodAutoscaler", "NetworkPolicy",
                            "PodDisruptionBudget", "Service", way_in])


def _one(manifests: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [m for m in manifests if m["kind"] == kind and (name is None or m["metadata"]["name"] == name)]
    assert len(found) == 1, f"{kind} {name or ''}: {len(found)} found"
    return found[0]


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_every_manifest_validates_against_the_kubernetes_schemas(rendered, version):
    _, manifests = rendered
    checked = 0
    for m in manifests:
        if m["apiVersion"] == "route.openshift.io/v1":
            continue  # an OpenShift CRD, not in Kubernetes' schemas: checked field by field below
        kubernetes_validate.validate(m, version, strict=True)  # raises on any unknown or mistyped field
        checked += 1
    assert checked == len(manifests) - sum(m["kind"] == "Route" for m in manifests) >= 7


def test_a_manifest_with_a_mistake_is_refused():
    """The validation above can fail: a misspelt field and a wrong type are both refused."""
    deployment = _one(render(OVERLAYS["kubernetes"]), "Deployment")
    misspelt = strategic_merge(deployment, {"spec": {"replica": 2}})
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(misspelt, K8S_VERSIONS[-1], strict=True)
    wrong_type = strategic_merge(deployment, {"spec": {"replicas": "two"}})
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong_type, K8S_VERSIONS[-1], strict=True)


def test_configmaps_two_of_them(rendered):
    _, manifests = rendered
    names = sorted(m["metadata"]["name"] for m in manifests if m["kind"] == "ConfigMap")
    assert names == ["explorer-catalog-overrides", "explorer-streamlit-config"]


def test_the_pod_is_restricted_and_writes_only_to_tmp(rendered):
    _, manifests = rendered
    pod = _one(manifests, "Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"] == {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    assert pod["automountServiceAccountToken"] is False
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes["tmp"]
    for c in pod["initContainers"] + pod["containers"]:
        sc = c["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True
        assert sc["capabilities"] == {"drop": ["ALL"]} and sc["runAsNonRoot"] is True
        assert "runAsUser" not in sc  # OpenShift assigns an arbitrary UID
        mounts = {v["mountPath"]: v["name"] for v in c["volumeMounts"]}
        assert mounts["/tmp"] == "tmp"
        env = {e["name"]: e["value"] for e in c["env"]}
        assert env["HOME"] == "/tmp" and env["EXPLORER_DATA"].startswith("/tmp/")
        assert c["resources"]["requests"] and c["resources"]["limits"]
    app = pod["containers"][0]
    assert {"/opt/app-root/src/.streamlit": "streamlit-config"}.items() <= {
        v["mountPath"]: v["name"] for v in app["volumeMounts"]}.items()
    assert volumes["streamlit-config"]["configMap"]["name"] == "explorer-streamlit-config"
    assert volumes["catalog-overrides"]["configMap"] == {"name": "explorer-catalog-overrides", "optional": True}


def test_probes_and_ports_agree_with_the_containerfile(rendered):
    _, manifests = rendered
    app = _one(manifests, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in app["ports"]}
    exposed = re.search(r"^EXPOSE (\d+)$", (ROOT / "Containerfile").read_text(), re.M)
    assert exposed and ports == {"http": int(exposed.group(1))}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert app[probe]["httpGet"] == {"path": HEALTH, "port": "http"}
    service = _one(manifests, "Service")
    assert service["spec"]["ports"][0]["targetPort"] == "http"


def test_selectors_and_targets_name_the_app(rendered):
    _, manifests = rendered
    deployment = _one(manifests, "Deployment")
    assert deployment["spec"]["selector"]["matchLabels"] == LABELS == deployment["spec"]["template"]["metadata"][
        "labels"]
    assert _one(manifests, "Service")["spec"]["selector"] == LABELS
    assert _one(manifests, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"] == LABELS
    hpa = _one(manifests, "HorizontalPodAutoscaler")["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "explorer"}
    assert hpa["metrics"][0]["resource"]["name"] == "cpu" and hpa["minReplicas"] >= 2
    assert _one(manifests, "PodDisruptionBudget")["spec"]["minAvailable"] < hpa["minReplicas"]


def test_network_policy_denies_all_egress_and_admits_only_the_router(rendered):
    name, manifests = rendered
    policy = _one(manifests, "NetworkPolicy")["spec"]
    assert policy["podSelector"]["matchLabels"] == LABELS
    assert "Egress" in policy["policyTypes"] and policy["egress"] == []
    [rule] = policy["ingress"]
    assert rule["ports"] == [{"port": 8080, "protocol": "TCP"}]
    namespaces = rule["from"][0]["namespaceSelector"]["matchLabels"]
    expected = {"openshift": {"policy-group.network.openshift.io/ingress": ""},
                "kubernetes": {"kubernetes.io/metadata.name": "ingress-nginx"}}
    assert namespaces == expected[name]


ROUTE_SPEC_FIELDS = {"host", "path", "to", "alternateBackends", "port", "tls", "wildcardPolicy", "subdomain"}
TIMEOUT = re.compile(r"^(\d+)(us|ms|s|m|h|d)$")
SECONDS = {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400}


def test_openshift_route_keeps_a_browser_on_its_pod_and_websockets_open():
    manifests = render(OVERLAYS["openshift"])
    route = _one(manifests, "Route")
    assert route["apiVersion"] == "route.openshift.io/v1" and set(route) == {"apiVersion", "kind", "metadata", "spec"}
    spec, notes = route["spec"], route["metadata"]["annotations"]
    assert set(spec) <= ROUTE_SPEC_FIELDS
    service = _one(manifests, "Service")
    assert spec["to"] == {"kind": "Service", "name": service["metadata"]["name"], "weight": 100}
    assert spec["port"]["targetPort"] in {p["name"] for p in service["spec"]["ports"]}
    assert spec["tls"]["termination"] in {"edge", "reencrypt", "passthrough"}
    assert spec["tls"]["insecureEdgeTerminationPolicy"] in {"Allow", "Redirect", "None"}
    assert notes["router.openshift.io/cookie_name"] == AFFINITY_COOKIE
    assert notes["haproxy.router.openshift.io/disable_cookies"] == "false"
    for key in ("haproxy.router.openshift.io/timeout", "haproxy.router.openshift.io/timeout-tunnel"):
        value = TIMEOUT.match(notes[key])
        assert value, f"{key}={notes[key]!r} is not an HAProxy duration"
        assert int(value.group(1)) * SECONDS[value.group(2)] >= 3600  # a workshop's idle websocket stays open
    assert all(isinstance(v, str) for v in notes.values())


def test_kubernetes_ingress_uses_cookie_affinity_to_the_service():
    manifests = render(OVERLAYS["kubernetes"])
    ingress = _one(manifests, "Ingress")
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert notes["nginx.ingress.kubernetes.io/session-cookie-name"] == AFFINITY_COOKIE
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    service = _one(manifests, "Service")
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


def test_cluster_streamlit_config_is_the_apps_own_plus_the_pods_address():
    """One truth: every setting of the repository's .streamlit/config.toml is in the cluster's, with its value."""
    config = _one(render(DEPLOY / "base"), "ConfigMap", "explorer-streamlit-config")["data"]["config.toml"]
    cluster = tomllib.loads(config)
    local = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    for section, settings in local.items():
        for key, value in settings.items():
            assert cluster[section][key] == value, f"{section}.{key}"
    assert cluster["server"]["port"] == 8080 and cluster["server"]["address"] == "0.0.0.0"
    extra = {(s, k) for s, kv in cluster.items() for k in kv} - {(s, k) for s, kv in local.items() for k in kv}
    assert extra == {("server", "port"), ("server", "address")}


def _init_command(tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """The init container's command and environment, with its paths moved under ``tmp_path``."""
    pod = _one(render(OVERLAYS["openshift"]), "Deployment")["spec"]["template"]["spec"]
    init = pod["initContainers"][0]
    env = {e["name"]: e["value"] for e in init["env"]}
    assert env["APP_DATA"] == "/opt/app-root/src/data"
    mounts = {v["name"]: v["mountPath"] for v in init["volumeMounts"]}
    assert env["CATALOG_OVERRIDES"] == mounts["catalog-overrides"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')  # the image's `python`
    (bin_dir / "python").chmod(0o755)
    local = {"APP_DATA": str(ROOT / "data"), "CATALOG_OVERRIDES": str(tmp_path / "overrides"),
             "EXPLORER_DATA": str(tmp_path / "tmp" / "data"), "HOME": str(tmp_path / "tmp"),
             "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONDONTWRITEBYTECODE": "1"}
    (tmp_path / "overrides").mkdir()
    (tmp_path / "tmp").mkdir()
    return init["command"], local


def test_catalog_overrides_are_laid_over_data_and_validated(tmp_path):
    command, env = _init_command(tmp_path)
    prices = yaml.safe_load((ROOT / "data" / "cloud_prices.yaml").read_text())
    gpu = prices["providers"][0]["gpus"][0]
    gpu["on_demand"] = 1.23  # the customer's negotiated price
    # A ConfigMap volume holds its keys as symbolic links into a ..data directory; the init container follows them.
    (tmp_path / "overrides" / "..data").mkdir()
    (tmp_path / "overrides" / "..data" / "cloud_prices.yaml").write_text(yaml.safe_dump(prices))
    (tmp_path / "overrides" / "cloud_prices.yaml").symlink_to("..data/cloud_prices.yaml")
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    served = load_catalog(env["EXPLORER_DATA"])
    key = f"{prices['providers'][0]['id']}:{gpu['gpu']}:on_demand"
    assert served.price_items[key].value == 1.23
    assert load_catalog(ROOT / "data").price_items[key].value != 1.23  # the image's own data/ is untouched
    assert sorted(p.name for p in Path(env["EXPLORER_DATA"]).iterdir()) == sorted(
        p.name for p in (ROOT / "data").iterdir())


def test_no_overrides_serves_the_images_catalog(tmp_path):
    command, env = _init_command(tmp_path)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert load_catalog(env["EXPLORER_DATA"]).version == load_catalog(ROOT / "data").version


def test_a_bad_override_stops_the_pod_with_one_sentence(tmp_path):
    command, env = _init_command(tmp_path)
    (tmp_path / "overrides" / "cloud_prices.yaml").write_text("providers: not-a-list\n")
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "cloud_prices.yaml" in done.stderr and "providers" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_renderer_refuses_what_it_does_not_implement(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: []\nnamePrefix: x-\n")
    with pytest.raises(KustomizeError, match="namePrefix"):
        render(tmp_path)
    (tmp_path / "kustomization.yaml").write_text("configMapGenerator: [{name: a, files: [../x]}]\n"
                                                 "generatorOptions: {disableNameSuffixHash: true}\n")
    with pytest.raises(KustomizeError, match="outside"):
        render(tmp_path)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed (CI renders with the subset)")
@pytest.mark.parametrize("name", sorted(OVERLAYS))
def test_the_subset_renders_what_kubectl_kustomize_renders(name):
    real = [d for d in yaml.safe_load_all(subprocess.run(["kubectl", "kustomize", str(OVERLAYS[name])],
                                                         capture_output=True, text=True, check=True).stdout) if d]
    key = lambda m: (m["kind"], m["metadata"]["name"])  # noqa: E731
    assert sorted(real, key=key) == sorted(render(OVERLAYS[name]), key=key)
