"""The example program runs offline, and its own resources use the platform's cluster provider."""

from __future__ import annotations

from pathlib import Path

from platform_kit.preview import run_stack

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "own-program"


def test_own_program_example_renders_with_the_platform_provider(monkeypatch):
    monkeypatch.delenv("GIT_TOKEN", raising=False)
    run = run_stack(EXAMPLE, "demo")
    by_type = {}
    for registration in run.registrations:
        by_type.setdefault(registration.type, []).append(registration)
    provider = by_type["pulumi:providers:kubernetes"][0]
    sandbox = next(r for r in by_type["kubernetes:core/v1:Namespace"] if r.name == "demo-sandbox")
    assert sandbox.inputs["metadata"]["name"] == "team-sandbox"
    assert sandbox.provider.startswith(provider.urn + "::")
    assert "clusters/demo/kustomization.yaml" in run.seeded_files()
    credentials = next(r for r in by_type["kubernetes:core/v1:Secret"])
    assert credentials.is_secret("stringData")
