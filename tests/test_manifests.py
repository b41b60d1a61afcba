"""Tests of platform_kit.validation.manifests: each check is shown to both pass and fail."""

from __future__ import annotations

import copy
from pathlib import Path

import kubernetes_validate
import pytest

from platform_kit.validation.manifests import (
    DEFAULT_KUBERNETES_VERSION,
    ManifestError,
    kustomize_build,
    load_documents,
    validate_object,
    validate_tree,
)

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "demo", "labels": {"app": "web"}},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}],
            },
        },
    },
}

FLUX_KUSTOMIZATION = {
    "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
    "kind": "Kustomization",
    "metadata": {"name": "apps", "namespace": "flux-system"},
    "spec": {
        "interval": "10m",
        "path": "./apps",
        "prune": True,
        "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
        "postBuild": {"substituteFrom": [{"kind": "ConfigMap", "name": "platform-metadata"}]},
    },
}

ARGO_APPLICATION = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Application",
    "metadata": {
        "name": "root",
        "namespace": "argocd",
        "finalizers": ["resources-finalizer.argocd.argoproj.io"],
    },
    "spec": {
        "project": "default",
        "source": {
            "repoURL": "https://git.example.com/platform.git",
            "targetRevision": "main",
            "path": "clusters/dev",
        },
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "argocd"},
        "syncPolicy": {
            "automated": {"prune": True, "selfHeal": True},
            "syncOptions": ["CreateNamespace=true"],
        },
    },
}


def changed(obj: dict, edit) -> dict:
    """A deep copy of ``obj`` after ``edit(copy)``."""
    result = copy.deepcopy(obj)
    edit(result)
    return result


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# ------------------------------------------------------------ built-in kinds


def test_valid_deployment_passes():
    assert validate_object(DEPLOYMENT) == []


def test_unknown_field_in_deployment_fails_strictly():
    def add_typo(deployment):
        deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"

    typo = changed(DEPLOYMENT, add_typo)
    errors = validate_object(typo)
    assert len(errors) == 1
    assert errors[0].startswith("Deployment/demo/web: spec.template.spec.containers[0]: ")
    assert "imagePullPolicyy" in errors[0]


def test_wrong_type_in_deployment_fails():
    errors = validate_object(changed(DEPLOYMENT, lambda d: d["spec"].update(replicas="two")))
    assert errors == ["Deployment/demo/web: spec.replicas: 'two' is not of type 'integer', 'null'"]


def test_agrees_with_kubernetes_validate_itself():
    """Our cached lookup of kubernetes-validate's schemas gives its verdicts."""
    bad = changed(DEPLOYMENT, lambda d: d["spec"].update(replicaz=1))
    assert kubernetes_validate.validate(DEPLOYMENT, DEFAULT_KUBERNETES_VERSION, strict=True)
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, DEFAULT_KUBERNETES_VERSION, strict=True)
    assert validate_object(DEPLOYMENT) == []
    assert validate_object(bad) != []


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {}},
            "Namespace/<no name>: metadata.name: required",
        ),
        ({"kind": "Namespace", "metadata": {"name": "a"}}, "Namespace/a: apiVersion: required"),
        ({"apiVersion": "v1", "metadata": {"name": "a"}}, "<no kind>/a: kind: required"),
    ],
)
def test_envelope_fields_are_required(obj, expected):
    assert any(error.startswith(expected) for error in validate_object(obj))


def test_unsupported_kubernetes_version_is_refused():
    with pytest.raises(ValueError, match="no schemas for Kubernetes 1.2"):
        validate_object(DEPLOYMENT, kubernetes_version="1.2")


# --------------------------------------------------------- custom resources


def test_valid_flux_kustomization_passes():
    assert validate_object(FLUX_KUSTOMIZATION) == []


def test_flux_kustomization_without_source_ref_fails():
    errors = validate_object(changed(FLUX_KUSTOMIZATION, lambda k: k["spec"].pop("sourceRef")))
    assert errors == ["Kustomization/flux-system/apps: spec: 'sourceRef' is a required property"]


def test_flux_kustomization_with_wrong_type_fails():
    errors = validate_object(changed(FLUX_KUSTOMIZATION, lambda k: k["spec"].update(prune="yes")))
    assert errors == ["Kustomization/flux-system/apps: spec.prune: 'yes' is not of type 'boolean'"]


def test_custom_resource_unknown_fields_fail_at_every_level():
    """Nested objects are closed by the schema files; the root and metadata by the validator."""

    def typos(k):
        k["spec"]["sourceRef"]["nmae"] = "x"
        k["spce"] = {}
        k["metadata"]["lables"] = {}

    errors = validate_object(changed(FLUX_KUSTOMIZATION, typos))
    assert len(errors) == 3
    for field in ("nmae", "spce", "lables"):
        assert any(field in error for error in errors), field


def test_unknown_custom_group_has_no_schema():
    widget = {"apiVersion": "widgets.example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {}}
    assert validate_object(widget) == ["Widget/w: no schema for widgets.example.com/Widget v1"]


def test_look_alike_group_is_not_taken_for_a_built_in_kind():
    fake = changed(DEPLOYMENT, lambda d: d.update(apiVersion="apps.example.com/v1"))
    assert validate_object(fake) == ["Deployment/demo/web: no schema for apps.example.com/Deployment v1"]


def test_custom_schema_dir_is_used(tmp_path):
    schema = '{"properties": {"spec": {"type": "object", "required": ["size"]}}}'
    write(tmp_path / "example.com" / "widget_v1.json", schema)
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {}}
    assert validate_object(widget, schema_dir=tmp_path) == ["Widget/w: spec: 'size' is a required property"]
    assert validate_object(changed(widget, lambda w: w["spec"].update(size=1)), schema_dir=tmp_path) == []


def test_valid_argo_cd_application_passes():
    assert validate_object(ARGO_APPLICATION) == []


def test_argo_cd_application_with_bad_field_fails():
    bad = changed(ARGO_APPLICATION, lambda a: a["spec"]["syncPolicy"]["automated"].update(prune="true"))
    assert validate_object(bad) == [
        "Application/argocd/root: spec.syncPolicy.automated.prune: 'true' is not of type 'boolean'"
    ]


def test_go_only_regex_in_a_crd_is_still_checked():
    """AlertmanagerConfig uses Go's mid-pattern ``(?i)``, which Python rejects as written."""
    config = {
        "apiVersion": "monitoring.coreos.com/v1alpha1",
        "kind": "AlertmanagerConfig",
        "metadata": {"name": "mute", "namespace": "monitoring"},
        "spec": {
            "muteTimeIntervals": [{"name": "weekend", "timeIntervals": [{"weekdays": ["Saturday:sunday"]}]}],
        },
    }
    assert validate_object(config) == []

    def bad_day(c):
        c["spec"]["muteTimeIntervals"][0]["timeIntervals"][0]["weekdays"] = ["funday"]

    errors = validate_object(changed(config, bad_day))
    assert len(errors) == 1 and "weekdays[0]: 'funday' does not match" in errors[0]


def test_preserve_unknown_fields_wins_over_catalog_additional_properties():
    """Kyverno's foreach ``preconditions`` keep unknown fields on the API server."""
    policy = {
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": "images"},
        "spec": {
            "rules": [
                {
                    "name": "images",
                    "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                    "validate": {
                        "foreach": [
                            {
                                "list": "request.object.spec.containers",
                                "preconditions": {"all": [], "extra": True},
                                "pattern": {"image": "registry.example.com/*"},
                            }
                        ]
                    },
                }
            ],
        },
    }
    assert validate_object(policy) == []
    typo = changed(policy, lambda p: p["spec"]["rules"][0]["validate"]["foreach"][0].update(lst="x"))
    assert validate_object(typo) == [
        "ClusterPolicy/images: spec.rules[0].validate.foreach[0]: "
        "Additional properties are not allowed ('lst' was unexpected)"
    ]


# -------------------------------------------------------------------- YAML


def test_load_documents_skips_empty_documents_and_names_broken_files(tmp_path):
    text = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n---\nkind: X\n"
    good = write(tmp_path / "two.yaml", text)
    assert [doc["kind"] for doc in load_documents(good)] == ["Namespace", "X"]
    assert [doc["kind"] for doc in load_documents(good.read_text())] == ["Namespace", "X"]
    broken = write(tmp_path / "broken.yaml", "kind: [unclosed\n")
    with pytest.raises(ManifestError, match="broken.yaml"):
        load_documents(broken)


# --------------------------------------------------------------- kustomize

KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: demo
resources:
  - configmap.yaml
  - service-account.yaml
"""


def two_resource_kustomization(directory: Path) -> Path:
    write(directory / "kustomization.yaml", KUSTOMIZATION)
    write(directory / "configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n")
    write(directory / "service-account.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: runner}\n")
    return directory


def test_kustomize_build_returns_every_object(tmp_path):
    objects = kustomize_build(two_resource_kustomization(tmp_path))
    assert sorted((o["kind"], o["metadata"]["name"], o["metadata"]["namespace"]) for o in objects) == [
        ("ConfigMap", "settings", "demo"),
        ("ServiceAccount", "runner", "demo"),
    ]


def test_broken_kustomization_raises_with_kustomize_stderr(tmp_path):
    write(tmp_path / "kustomization.yaml", "resources:\n  - missing.yaml\n")
    with pytest.raises(ManifestError, match="missing.yaml") as caught:
        kustomize_build(tmp_path)
    assert "failed" in str(caught.value)


# -------------------------------------------------------------------- tree


def test_validate_tree_reports_invalid_file_with_its_path(tmp_path):
    two_resource_kustomization(tmp_path / "base")
    write(
        tmp_path / "flux" / "apps.yaml",
        "---\n"
        + "\n".join(
            [
                "apiVersion: kustomize.toolkit.fluxcd.io/v1",
                "kind: Kustomization",
                "metadata: {name: apps, namespace: flux-system}",
                "spec: {interval: 10m, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}",
            ]
        )
        + "\n",
    )
    write(tmp_path / "apps" / "bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken}\ndata: {n: 1}\n")
    write(tmp_path / "apps" / "kustomization.yaml", "resources:\n  - bad.yaml\n")
    write(tmp_path / ".github" / "workflows" / "ci.yaml", "on: push\n")  # not a manifest: skipped

    errors = validate_tree(tmp_path)

    assert errors == [
        "apps/bad.yaml: ConfigMap/broken: data.n: 1 is not of type 'string', 'null'",
        "apps/ (kustomize build): ConfigMap/broken: data.n: 1 is not of type 'string', 'null'",
    ]


def test_validate_tree_of_a_valid_tree_is_clean(tmp_path):
    two_resource_kustomization(tmp_path / "base")
    assert validate_tree(tmp_path) == []


def test_validate_tree_reports_yaml_and_kustomize_failures(tmp_path):
    write(tmp_path / "clusters" / "dev" / "oops.yml", "kind: [unclosed\n")
    write(tmp_path / "broken" / "kustomization.yaml", "resources:\n  - missing.yaml\n")
    errors = validate_tree(tmp_path)
    assert len(errors) == 2
    assert errors[0].startswith("clusters/dev/oops.yml: invalid YAML")
    assert errors[1].startswith("broken/ (kustomize build): kustomize build of")
