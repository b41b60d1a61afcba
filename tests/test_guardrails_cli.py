"""`platform-kit render --check` end to end: every shipped stack passes; each rule fails a stack that breaks it.

Where config can break a rule, a stack file does (a prod stack with a public endpoint);
where the library hard-codes the secure setting, the test swaps the one builder that
sets it, so the real stack program registers the offending resource.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi_aws as aws
import pytest
import yaml
from click.testing import CliRunner
from stack_support import project_skeleton

import platform_kit.aws.kms as kms
import platform_kit.aws.roles as roles
import platform_kit.cluster.eks as eks
import platform_kit.cluster.eks_nodes as eks_nodes
import platform_kit.repo.services.auto_mode as repo_auto_mode
from platform_kit.cli import main
from platform_kit.guardrails.rules import RULES
from platform_kit.repo.services import karpenter as repo_karpenter
from platform_kit.services import addons as addon_services

REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("local", "local-argocd", "dev", "staging", "prod")


def render_check(stack: str, out: Path, project: Path = REPO_ROOT) -> tuple[int, list[str], str]:
    """Exit code, the violation lines and the whole output of `render --check`."""
    result = CliRunner().invoke(
        main, ["render", "--stack", stack, "--out", str(out), "--check", "--project", str(project)]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    rule_ids = tuple(f"{r.id}: " for r in RULES)
    return result.exit_code, [line for line in result.output.splitlines() if line.startswith(rule_ids)], result.output


@pytest.mark.parametrize("stack", SHIPPED)
def test_every_shipped_stack_passes(stack, tmp_path):
    code, violations, output = render_check(stack, tmp_path)
    assert (code, violations) == (0, []), output
    assert f"guardrails: {len(RULES)} rules, 0 violations" in output
    assert (tmp_path / "summary.md").is_file() and (tmp_path / "plan.json").is_file()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with the repo's Pulumi.yaml and stack program, no stack files."""
    return project_skeleton(tmp_path / "project")


def prod_stack(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document = copy.deepcopy(yaml.safe_load((REPO_ROOT / "stacks" / "Pulumi.prod.yaml").read_text()))
    edit(document["config"])
    return document


def write(project: Path, stack: str, document: dict[str, Any]) -> None:
    (project / "stacks" / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))


def public_endpoint(config: dict[str, Any]) -> None:
    config["platform:cluster"]["endpoint"] = {"public": True, "publicCidrs": ["203.0.113.0/24"]}


def test_prod_with_a_public_endpoint_fails_after_writing_the_render(project, tmp_path):
    write(project, "prod", prod_stack(public_endpoint))
    code, violations, output = render_check("prod", tmp_path / "out", project)
    assert code == 1, output
    assert violations == [
        "private-endpoint-in-prod: aws:eks/cluster:Cluster prod-cluster-control-plane: environment prod requires "
        "vpcConfig.endpointPublicAccess false (got true)"
    ]
    assert f"guardrails: {len(RULES)} rules, 1 violation" in output
    assert (tmp_path / "out" / "plan.json").is_file() and (tmp_path / "out" / "config-repo").is_dir()
    assert violations[0] in (tmp_path / "out" / "summary.md").read_text()


def test_a_cluster_tagged_prod_in_another_stack_must_be_private(project, tmp_path):
    def edit(config: dict[str, Any]) -> None:
        public_endpoint(config)
        config["platform:environment"] = "prod-eu"  # not a strict environment by name...

    write(project, "prod-eu", prod_stack(edit))  # ...but the cluster's tags still say environment: prod
    code, violations, _ = render_check("prod-eu", tmp_path / "out", project)
    assert code == 1
    assert [v.split(":")[0] for v in violations] == ["private-endpoint-in-prod"]


def test_the_same_public_endpoint_passes_outside_prod(project, tmp_path):
    def edit(config: dict[str, Any]) -> None:
        public_endpoint(config)
        config["platform:environment"] = "qa"
        config["platform:cluster"]["tags"]["environment"] = "qa"

    write(project, "qa", prod_stack(edit))
    code, violations, output = render_check("qa", tmp_path / "out", project)
    assert (code, violations) == (0, []), output


def test_missing_required_tags_fail(project, tmp_path):
    write(project, "prod", prod_stack(lambda config: config["platform:cluster"]["tags"].pop("owner")))
    code, violations, _ = render_check("prod", tmp_path / "out", project)
    assert code == 1
    assert violations == [
        "required-tags: pulumi:providers:aws prod-cluster-aws: defaultTags lack required tag(s): owner"
    ]


# --- rules the config cannot break: swap the builder that sets the secure value -----------


def swap_launch_template(change: Callable[[dict[str, Any]], None]) -> Callable[[pytest.MonkeyPatch], None]:
    def patch(monkeypatch: pytest.MonkeyPatch) -> None:
        original = eks_nodes.launch_template_args

        def insecure(group, tags):
            args = original(group, tags)
            change(args)
            return args

        monkeypatch.setattr(eks_nodes, "launch_template_args", insecure)

    return patch


def swap_resource(module: Any, name: str, drop: str, value: Any = None) -> Callable[[pytest.MonkeyPatch], None]:
    def patch(monkeypatch: pytest.MonkeyPatch) -> None:
        cls = getattr(module, name)

        class Insecure(cls):
            def __init__(self, resource_name, **kwargs):
                kwargs[drop] = value
                super().__init__(resource_name, **kwargs)

        monkeypatch.setattr(module, name, Insecure)

    return patch


def wildcard_trust(monkeypatch: pytest.MonkeyPatch) -> None:
    original = roles.service_trust_policy
    monkeypatch.setattr(roles, "service_trust_policy", lambda service, actions=(): original(service, ("sts:*",)))


def nodes_in_public_subnets(monkeypatch: pytest.MonkeyPatch) -> None:
    class Swapped(eks.Vpc):
        """A VPC whose public subnets are handed out as the private ones."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.private_subnet_ids, self.public_subnet_ids = self.public_subnet_ids, self.private_subnet_ids

    monkeypatch.setattr(eks, "Vpc", Swapped)


def no_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    swap_resource(kms, "Key", "enable_key_rotation", False)(monkeypatch)  # kms.py imports the class itself


def any_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    original = addon_services.external_dns_policy

    def loose(zone_ids, region):
        document = original(zone_ids, region)
        document["Statement"][0]["Resource"] = "*"
        return document

    monkeypatch.setattr(addon_services, "external_dns_policy", loose)


def node_class_hop_2(monkeypatch: pytest.MonkeyPatch) -> None:
    original = repo_karpenter.node_class

    def loose(capacity, ref=None):
        document = original(capacity)
        document["spec"]["metadataOptions"]["httpPutResponseHopLimit"] = 2
        return document

    monkeypatch.setattr(repo_karpenter, "node_class", loose)


def pool_without_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    original = repo_karpenter.node_pool

    def loose(pool):
        document = original(pool)
        del document["spec"]["limits"]
        return document

    monkeypatch.setattr(repo_karpenter, "node_pool", loose)


BREAKS = {
    "eks-secrets-encryption": swap_resource(aws.eks, "Cluster", "encryption_config"),
    "kms-key-rotation": no_rotation,
    "ebs-encryption": swap_launch_template(lambda a: a["block_device_mappings"][0]["ebs"].update(encrypted="false")),
    "secrets-manager-cmk": swap_resource(aws.secretsmanager, "Secret", "kms_key_id"),
    "imdsv2": swap_launch_template(lambda a: a["metadata_options"].update(http_put_response_hop_limit=2)),
    "iam-no-wildcard-actions": wildcard_trust,
    "nodes-in-private-subnets": nodes_in_public_subnets,
    "route53-named-zones": any_zone,
    "karpenter-node-class": node_class_hop_2,
    "node-pool-limits": pool_without_limits,
}


def auto_mode(config: dict[str, Any]) -> None:
    """prod on EKS Auto Mode: no node groups, and Auto Mode's own load balancing instead of the controller."""
    config["platform:cluster"]["capacity"] = {"kind": "autoMode"}
    config["platform:cluster"]["nodeGroups"] = []
    del config["platform:services"]["addons"]["loadBalancerController"]


def auto_mode_without_block_storage(monkeypatch: pytest.MonkeyPatch) -> None:
    original = eks.cluster_settings

    def partial(*args, **kwargs):
        settings = original(*args, **kwargs)
        settings["storage_config"] = {"block_storage": {"enabled": False}}
        return settings

    monkeypatch.setattr(eks, "cluster_settings", partial)


def unencrypted_storage_class(monkeypatch: pytest.MonkeyPatch) -> None:
    original = repo_auto_mode.storage_class

    def loose():
        document = original()
        document["parameters"]["encrypted"] = "false"
        return document

    monkeypatch.setattr(repo_auto_mode, "storage_class", loose)


AUTO_MODE_BREAKS = {
    "eks-auto-mode-complete": auto_mode_without_block_storage,
    "ebs-storage-class-encrypted": unencrypted_storage_class,
}
"""Rules only an Auto Mode cluster can break: checked on prod switched to Auto Mode."""


def test_every_rule_is_broken_by_some_test():
    assert set(BREAKS) | set(AUTO_MODE_BREAKS) | {"private-endpoint-in-prod", "required-tags"} == {r.id for r in RULES}


@pytest.mark.parametrize("rule_id", sorted(BREAKS))
def test_each_rule_fails_the_prod_stack_that_breaks_it(rule_id, monkeypatch, tmp_path):
    BREAKS[rule_id](monkeypatch)
    code, violations, output = render_check("prod", tmp_path)
    assert code == 1, output
    assert violations, output
    assert {line.split(":")[0] for line in violations} == {rule_id}, violations


def test_prod_on_auto_mode_passes(project, tmp_path):
    write(project, "prod", prod_stack(auto_mode))
    code, violations, output = render_check("prod", tmp_path / "out", project)
    assert (code, violations) == (0, []), output
    assert "auto-ebs-sc" in "".join(p.read_text() for p in (tmp_path / "out" / "config-repo").rglob("*.yaml"))


@pytest.mark.parametrize("rule_id", sorted(AUTO_MODE_BREAKS))
def test_each_auto_mode_rule_fails_the_auto_mode_prod_stack_that_breaks_it(rule_id, project, monkeypatch, tmp_path):
    write(project, "prod", prod_stack(auto_mode))
    AUTO_MODE_BREAKS[rule_id](monkeypatch)
    code, violations, output = render_check("prod", tmp_path / "out", project)
    assert code == 1, output
    assert {line.split(":")[0] for line in violations} == {rule_id}, violations
