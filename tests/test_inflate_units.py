"""The pieces of `platform_kit.inflate` on small inputs: Flux substitution, ApplicationSet expansion, chart store."""

from __future__ import annotations

import pytest

from platform_kit.inflate.appsets import UnsupportedApplicationSet, expand_application_set, render_templates
from platform_kit.inflate.scope import Scopes
from platform_kit.inflate.substitute import substitute_objects, substitute_text

CLUSTER = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {
        "name": "platform-cluster",
        "labels": {"argocd.argoproj.io/secret-type": "cluster", "platform-kit.io/environment": "dev"},
        "annotations": {
            "platform-kit.io/repo-url": "https://git.example.com/c.git",
            "platform-kit.io/team-a-role": "r",
        },
    },
    "stringData": {"name": "Platform_Dev", "server": "https://kubernetes.default.svc"},
}


def test_flux_substitution_defaults_escapes_and_reports_undefined_names():
    undefined: set[str] = set()
    text = "a: ${NAME}\nb: ${MISSING:=fallback}\nc: $${KEEP}\nd: ${GONE}\ne: ${OTHER:-x}\n"
    assert substitute_text(text, {"NAME": "dev"}, undefined) == "a: dev\nb: fallback\nc: ${KEEP}\nd: \ne: x\n"
    assert undefined == {"GONE"}


def test_flux_substitution_skips_objects_that_disable_it():
    disabled = {
        "kind": "ConfigMap",
        "metadata": {"annotations": {"kustomize.toolkit.fluxcd.io/substitute": "disabled"}},
        "data": {"x": "${NAME}"},
    }
    enabled = {"kind": "ConfigMap", "metadata": {"name": "on"}, "data": {"x": "${NAME}"}}
    result = substitute_objects([disabled, enabled], {"NAME": "dev"}, set())
    assert [obj["data"]["x"] for obj in result] == ["${NAME}", "dev"]


ROLE_PATCH = "- value: '{{ index .metadata.annotations (printf \"platform-kit.io/%s-role\" .path.basename) }}'\n"


def test_templates_render_field_by_field_with_sprig_functions():
    template = {
        "metadata": {"name": "{{ .nameNormalized }}-{{ .path.basename }}"},
        "spec": {
            "source": {"patch": ROLE_PATCH},
            "destination": {"server": "{{ .server }}", "namespace": "argocd"},
        },
    }
    params = [
        {
            "nameNormalized": "dev",
            "server": "s",
            "path": {"basename": "a"},
            "metadata": {"annotations": {"platform-kit.io/a-role": "arn:1"}},
        }
    ]
    [app] = render_templates(template, params)
    assert app["metadata"]["name"] == "dev-a"
    assert app["spec"]["source"]["patch"] == "- value: 'arn:1'\n"
    assert app["spec"]["destination"] == {"server": "s", "namespace": "argocd"}


def test_a_matrix_of_clusters_and_config_repo_directories_expands_per_directory(tmp_path):
    for team in ("a", "b"):
        (tmp_path / "clusters/dev/teams" / team).mkdir(parents=True)
    appset = {
        "spec": {
            "goTemplate": True,
            "generators": [
                {
                    "matrix": {
                        "generators": [
                            {"clusters": {"selector": {"matchLabels": {"platform-kit.io/environment": "dev"}}}},
                            {
                                "git": {
                                    "repoURL": '{{ index .metadata.annotations "platform-kit.io/repo-url" }}',
                                    "directories": [
                                        {"path": "clusters/dev/teams/*"},
                                        {"path": "clusters/dev/teams/b", "exclude": True},
                                    ],
                                }
                            },
                        ]
                    }
                }
            ],
            "template": {
                "metadata": {"name": "{{ .nameNormalized }}-{{ .path.basename }}"},
                "spec": {"source": {"path": "{{ .path.path }}"}},
            },
        }
    }
    apps = expand_application_set(appset, [CLUSTER], tmp_path, {"https://git.example.com/c.git"})
    assert [(a["metadata"]["name"], a["spec"]["source"]["path"]) for a in apps] == [
        ("platform-dev-a", "clusters/dev/teams/a")
    ]


@pytest.mark.parametrize(
    ("generators", "message"),
    [
        ([{"pullRequest": {}}], "generator \\['pullRequest'\\] is not evaluated offline"),
        ([{"git": {"repoURL": "https://elsewhere/x.git", "directories": [{"path": "*"}]}}], "not the config repo"),
        ([{"list": {"elements": [{"a": "1"}]}}], "refers to parameters no generator provides: .missing"),
    ],
)
def test_what_cannot_be_expanded_says_why(tmp_path, generators, message):
    appset = {
        "spec": {"goTemplate": True, "generators": generators, "template": {"metadata": {"name": "{{ .missing }}"}}}
    }
    with pytest.raises(UnsupportedApplicationSet, match=message):
        expand_application_set(appset, [CLUSTER], tmp_path, {"https://git.example.com/c.git"})


def test_cluster_scope_comes_from_builtins_known_crds_and_crds_seen():
    scopes = Scopes(
        [
            {
                "kind": "CustomResourceDefinition",
                "spec": {"group": "x.io", "scope": "Cluster", "names": {"kind": "Thing"}},
            }
        ]
    )
    assert not scopes.is_namespaced({"apiVersion": "x.io/v1", "kind": "Thing"})
    assert not scopes.is_namespaced({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole"})
    assert not scopes.is_namespaced({"apiVersion": "external-secrets.io/v1", "kind": "ClusterSecretStore"})
    assert scopes.is_namespaced({"apiVersion": "v1", "kind": "Service"})
