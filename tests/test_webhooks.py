"""Webhook-driven reconciliation: the generated secret, the Flux Receiver, Argo CD's webhook keys, outputs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pulumi
import pulumi_random as random
import pytest
import yaml
from factories import make_config, make_contract
from pulumi.runtime.sync_await import _sync_await
from stack_support import project_skeleton

from platform_kit.gitops import AgentArgs, FluxAgent
from platform_kit.offline.engine import RANDOM_PASSWORD_TYPE, SECRET_MARKER, fake_password
from platform_kit.offline.preview import StackRun, run_stack, write_render
from platform_kit.repo.flux.objects import receiver_webhook_path, webhook_receiver
from platform_kit.validation.manifests import validate_object

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_mock_random_password_has_a_deterministic_secret_result(pulumi_recorder):
    password = random.RandomPassword("hook", length=40, special=False)
    value, secret = pulumi_recorder.resolve(password.result)
    assert secret
    assert value == fake_password("hook", 40)
    assert len(value) == 40 and value.isalnum()
    assert fake_password("other", 40) != value
    registration = pulumi_recorder.get(RANDOM_PASSWORD_TYPE, "hook")
    assert registration.masked_inputs == {"length": 40, "special": False}
    assert SECRET_MARKER not in repr(registration.masked_inputs)


def test_mock_random_password_honours_its_length(pulumi_recorder):
    value, secret = pulumi_recorder.resolve(random.RandomPassword("short", length=12).result)
    assert secret and value == fake_password("short", 12) and len(value) == 12


# --- Flux: a Receiver for the root GitRepository ---------------------------------------

RECEIVER = "kubernetes:notification.toolkit.fluxcd.io/v1:Receiver"
SECRET = "kubernetes:core/v1:Secret"


def flux_agent(config):
    return FluxAgent("f", AgentArgs(config=config, metadata=make_contract(config)))


def test_receiver_path_is_the_digest_notification_controller_serves():
    path = receiver_webhook_path("tok", "flux-system", "flux-system")
    assert path == "/hook/" + hashlib.sha256(b"tokflux-systemflux-system").hexdigest()
    assert path == "/hook/a612d247a8c01681e60fb06e0f16fe81800468806e97b0709bda5e8ec3b7a227"
    assert receiver_webhook_path("tok", "flux-system", "other") != path
    assert receiver_webhook_path("tok2", "flux-system", "flux-system") != path


@pytest.mark.parametrize(
    ("provider", "receiver_type", "events"),
    [
        ("github", "github", ["ping", "push"]),
        ("gitlab", "gitlab", ["Push Hook", "Tag Push Hook"]),
        ("generic", "generic", None),
    ],
)
def test_receiver_validates_and_targets_the_root_source(provider, receiver_type, events):
    config = make_config({"cluster.kubeconfig.path": "k"}, gitops={"webhook": {"provider": provider}})
    receiver = webhook_receiver(config.gitops)
    assert validate_object(receiver) == []
    assert receiver["spec"]["type"] == receiver_type
    assert receiver["spec"].get("events") == events
    assert receiver["spec"]["resources"] == [
        {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "name": "flux-system"}
    ]
    broken = receiver | {"spec": receiver["spec"] | {"type": "carrier-pigeon"}}
    assert validate_object(broken) != []


def test_flux_webhook_token_is_secret_and_the_url_is_derived_from_it(pulumi_recorder):
    agent = flux_agent(
        make_config({"cluster.kubeconfig.path": "k"}, gitops={"webhook": {"publicUrl": "https://hooks.example.com/"}})
    )
    fake = fake_password("f-webhook-secret", 40)
    token = pulumi_recorder.get(SECRET, "f-webhook-token")
    assert token.is_secret("stringData")
    assert token.inputs["stringData"] == {"token": fake}
    assert fake not in repr(token.masked_inputs)
    receiver = pulumi_recorder.get(RECEIVER, "f-receiver")
    assert receiver.inputs["spec"]["secretRef"] == {"name": token.inputs["metadata"]["name"]}
    assert receiver.inputs["metadata"]["annotations"]["pulumi.com/waitFor"] == "condition=Ready"
    assert validate_object({k: v for k, v in receiver.inputs.items()}) == []
    by_name = {r.name: r.urn for r in pulumi_recorder.registrations}
    assert {by_name["f-source"], by_name["f-webhook-token"]} <= set(receiver.dependencies)
    assert pulumi_recorder.resolve(agent.webhook_secret) == (fake, True)
    url, secret = pulumi_recorder.resolve(agent.webhook_url)
    assert secret  # the path is as good as the token for a generic receiver
    assert url == "https://hooks.example.com" + receiver_webhook_path(fake, "flux-system", "flux-system")


def test_flux_without_public_url_exports_no_url_but_a_secret(pulumi_recorder):
    agent = flux_agent(make_config({"cluster.kubeconfig.path": "k"}, gitops={"webhook": {}}))
    assert agent.webhook_url is None
    assert pulumi_recorder.resolve(agent.webhook_secret)[1] is True


def test_flux_without_notification_controller_has_no_receiver(pulumi_recorder):
    agent = flux_agent(
        make_config(
            {"cluster.kubeconfig.path": "k"},
            gitops={
                "webhook": {"publicUrl": "https://h.example.com"},
                "components": ["source-controller", "kustomize-controller"],
            },
        )
    )
    assert pulumi_recorder.find(RECEIVER) == []
    assert pulumi_recorder.find(RANDOM_PASSWORD_TYPE) == []
    assert agent.webhook_url is None and agent.webhook_secret is None


# --- stack outputs and plan.json ---------------------------------------------------------


def run_with_exports(project: Path, stack: str, monkeypatch) -> tuple[StackRun, dict]:
    exported: dict = {}
    monkeypatch.setattr(pulumi, "export", lambda name, value: exported.__setitem__(name, value))
    run = run_stack(project, stack)
    outputs = {}
    for name, value in exported.items():
        out = pulumi.Output.from_input(value)
        outputs[name] = (_sync_await(out.future()), bool(_sync_await(out.is_secret())))
    return run, outputs


def test_argocd_stack_exports_webhook_url_and_secret_and_never_writes_the_secret(monkeypatch, tmp_path):
    run, outputs = run_with_exports(REPO_ROOT, "local-argocd", monkeypatch)
    fake = fake_password("local-argocd-argocd-webhook-secret", 40)
    assert outputs["webhookSecret"] == (fake, True)
    assert outputs["webhookUrl"] == ("http://localhost:8081/api/webhook", False)
    plan_file, repo_dir = write_render(run, tmp_path / "out")
    plan_text = plan_file.read_text()
    assert "local-argocd-argocd-settings" in plan_text
    assert fake not in plan_text
    assert all(fake not in path.read_text() for path in repo_dir.rglob("*") if path.is_file())


def test_flux_stack_exports_a_secret_url_and_never_writes_the_secret(monkeypatch, tmp_path):
    project = project_skeleton(tmp_path / "project")
    local = yaml.safe_load((REPO_ROOT / "stacks" / "Pulumi.local.yaml").read_text())
    local["config"]["platform:gitops"]["webhook"] = {"provider": "github", "publicUrl": "https://hooks.example.com"}
    local["config"]["platform:repo"]["url"] = "seed.git"
    (project / "stacks" / "Pulumi.hooks.yaml").write_text(yaml.safe_dump(local))
    run, outputs = run_with_exports(project, "hooks", monkeypatch)
    fake = fake_password("local-flux-webhook-secret", 40)
    assert outputs["webhookSecret"] == (fake, True)
    url, secret = outputs["webhookUrl"]
    assert secret and url == "https://hooks.example.com" + receiver_webhook_path(fake, "flux-system", "flux-system")
    plan_text = write_render(run, tmp_path / "out")[0].read_text()
    assert "local-flux-receiver" in plan_text
    assert fake not in plan_text and url not in plan_text
