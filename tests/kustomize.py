"""The subset of Kustomize that deploy/ uses, to render its overlays offline (no kustomize binary in CI).

Supported: ``resources`` (manifest files, or directories holding a kustomization.yaml), ``configMapGenerator``
with ``files`` (``key=path`` or ``path``) and ``behavior: create|replace|merge``, ``generatorOptions`` with
``disableNameSuffixHash: true``, and ``patches`` given by ``path``: a strategic-merge patch applied to the resource
of the same kind and name (maps merge, lists of named items merge by name, other lists are replaced: the merge keys
of the Kubernetes fields used here). Any other key is an error, so deploy/ cannot quietly use a feature this
renderer would ignore.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Manifest = dict[str, Any]
SUPPORTED = {"apiVersion", "kind", "resources", "configMapGenerator", "generatorOptions", "patches"}


class KustomizeError(ValueError):
    pass


def _load_all(path: Path) -> list[Manifest]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def strategic_merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = strategic_merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    named = (isinstance(base, list) and isinstance(patch, list) and base and patch
             and all(isinstance(x, dict) and "name" in x for x in [*base, *patch]))
    if named:
        out = [copy.deepcopy(x) for x in base]
        index = {x["name"]: i for i, x in enumerate(out)}
        for item in patch:
            if item["name"] in index:
                out[index[item["name"]]] = strategic_merge(out[index[item["name"]]], item)
            else:
                out.append(copy.deepcopy(item))
        return out
    return copy.deepcopy(patch)


def _key(m: Manifest) -> tuple[str, str]:
    return m["kind"], m["metadata"]["name"]


def _config_map(directory: Path, spec: dict[str, Any]) -> Manifest:
    unknown = set(spec) - {"name", "files", "behavior"}
    if unknown:
        raise KustomizeError(f"{directory}: configMapGenerator keys {sorted(unknown)} are not supported")
    data = {}
    for entry in spec.get("files", []):
        key, _, rel = entry.partition("=") if "=" in entry else (Path(entry).name, "", entry)
        source = (directory / rel).resolve()
        if not source.is_relative_to(directory.resolve()):  # kustomize's default load restrictor
            raise KustomizeError(f"{directory}: {rel} is outside the kustomization's directory")
        data[key] = source.read_text(encoding="utf-8")
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": spec["name"]}, "data": data}


def render(directory: Path) -> list[Manifest]:
    """The manifests ``kubectl kustomize DIRECTORY`` would print, in the order they were declared."""
    config = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8")) or {}
    unknown = set(config) - SUPPORTED
    if unknown:
        raise KustomizeError(f"{directory}/kustomization.yaml uses {sorted(unknown)}, which this renderer lacks")
    if config.get("configMapGenerator") and not (config.get("generatorOptions") or {}).get("disableNameSuffixHash"):
        raise KustomizeError(f"{directory}: generated names need generatorOptions.disableNameSuffixHash: true")
    out: list[Manifest] = []
    for entry in config.get("resources", []):
        path = directory / entry
        out += render(path) if path.is_dir() else _load_all(path)
    for spec in config.get("configMapGenerator", []):
        generated, behavior = _config_map(directory, spec), spec.get("behavior", "create")
        existing = [i for i, m in enumerate(out) if _key(m) == _key(generated)]
        if behavior == "create" and existing:
            raise KustomizeError(f"{directory}: ConfigMap {spec['name']} exists already (use behavior: replace)")
        if behavior != "create" and not existing:
            raise KustomizeError(f"{directory}: ConfigMap {spec['name']} to {behavior} does not exist")
        if behavior == "create":
            out.append(generated)
        elif behavior == "replace":
            out[existing[0]] = {**out[existing[0]], "data": generated["data"]}
        else:
            out[existing[0]] = strategic_merge(out[existing[0]], {"data": generated["data"]})
    for entry in config.get("patches", []):
        if set(entry) != {"path"}:
            raise KustomizeError(f"{directory}: only patches given by path are supported, not {entry}")
        for patch in _load_all(directory / entry["path"]):
            targets = [i for i, m in enumerate(out) if _key(m) == _key(patch)]
            if len(targets) != 1:
                raise KustomizeError(f"{directory}: patch {entry['path']} matches {len(targets)} resources")
            out[targets[0]] = strategic_merge(out[targets[0]], patch)
    return out
