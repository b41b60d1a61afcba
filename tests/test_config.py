"""Config models, loaders, field-path errors and the JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from factories import config_problems, config_values, make_config
from pydantic import ValidationError
from stack_support import project_skeleton

from platform_kit.config import (
    OPAQUE_SECRET,
    ConfigError,
    PlatformConfig,
    PlatformMetadata,
    load_pulumi_config,
    load_stack_file,
    parse_platform_config,
    stack_config_schema,
)
from platform_kit.config.loaders import override_repo, program_config, read_stack_file

REPO_ROOT = Path(__file__).resolve().parent.parent


REPO = {"url": "https://git.example.com/platform/config.git"}
"""The config repo of these tests (`config_values(repo=REPO)`)."""


def test_valid_config_gets_defaults():
    config = make_config(repo=REPO)
    assert config.repo.branch == "main"
    assert config.environment_path == "clusters/dev"
    assert config.repo.credentials.kind == "none"
    assert config.gitops.namespace == "flux-system"
    assert config.repo.cluster_url == "https://git.example.com/platform/config.git"


def test_models_are_frozen():
    config = make_config(repo=REPO)
    with pytest.raises(ValidationError):
        config.environment = "prod"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        (lambda v: v.update(environment="Dev_1"), "platform.environment", "`Dev_1` is not a lower-case DNS label"),
        (lambda v: v["cluster"].update(zone="x"), "platform.cluster.zone", "unknown key `zone`"),
        (lambda v: v["cluster"].update(kind="gke"), "platform.cluster", "unknown kind `gke`"),
        (lambda v: v["cluster"].pop("kind"), "platform.cluster", "missing 'kind'"),
        (lambda v: v["cluster"]["kubeconfig"].update(content="x"), "platform.cluster.kubeconfig", "exactly one"),
        (lambda v: v["gitops"].update(agent="argo"), "platform.gitops", "unknown agent `argo`"),
        (
            lambda v: v["gitops"].update(syncInterval="5 minutes"),
            "platform.gitops.syncInterval",
            "`5 minutes` is not a duration like 30s, 5m, 1h",
        ),
        (lambda v: v["gitops"].update(components=["helm-controller"]), "platform.gitops", "source-controller"),
        (lambda v: v["repo"].update(url="ftp://h/x"), "platform.repo.url", "unsupported scheme"),
        (lambda v: v["repo"].update(url="https://u:pw@h/x"), "platform.repo.url", "must not embed"),
        (lambda v: v["repo"].update(url="git://h/x.git"), "platform.repo.agentUrl", "cannot clone"),
        (lambda v: v["repo"].update(path="clusters/../escape"), "platform.repo.path", "`..`"),
        (lambda v: v["repo"].update(path="/abs"), "platform.repo.path", "`/abs` is not a relative path"),
        (
            lambda v: v["repo"].update(credentials={"kind": "token"}),
            "platform.repo.credentials",
            "exactly one of `token` or `tokenEnv`",
        ),
        (
            lambda v: v["repo"].update(credentials={"kind": "ssh", "privateKeyEnv": "K"}),
            "platform.repo.credentials.knownHosts",
            "is required",
        ),
    ],
)
def test_each_bad_value_is_named_by_its_field_path(mutate, path, fragment):
    values = config_values(repo=REPO)
    mutate(values)
    found = config_problems(values)
    assert path in found, found
    assert fragment in found[path]


def test_every_problem_is_listed_at_once():
    values = config_values(repo=REPO)
    values["environment"] = "BAD"
    values["cluster"]["zone"] = "x"
    values["repo"]["url"] = "ftp://x"
    assert set(config_problems(values)) == {"platform.environment", "platform.cluster.zone", "platform.repo.url"}


def test_errors_never_echo_secret_values():
    values = config_values(repo=REPO)
    values["repo"]["credentials"] = {"kind": "token", "token": "tok-SECRET-123", "bogus": 1}
    values["cluster"]["kubeconfig"] = {"content": "kubeconfig-SECRET", "path": "x"}
    with pytest.raises(ConfigError) as caught:
        parse_platform_config(values)
    assert "SECRET" not in str(caught.value)
    assert "SECRET" not in repr(caught.value.problems)


def test_secrets_are_secret_str():
    values = config_values(repo=REPO)
    values["repo"]["credentials"] = {"kind": "token", "token": "tok-123"}
    config = parse_platform_config(values)
    assert "tok-123" not in repr(config)
    assert config.repo.credentials.token.get_secret_value() == "tok-123"


def test_local_stack_file_loads_and_resolves_repo_path():
    config = load_stack_file(REPO_ROOT, "local")
    assert config.environment == "local"
    assert config.cluster.kind == "existing"
    assert Path(config.repo.url).is_absolute()
    assert Path(config.repo.url) == REPO_ROOT / ".gitops" / "platform-config.git"


def write_stack(tmp_path: Path, config: dict) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: t\nruntime: python\nmain: stacks/\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir(exist_ok=True)
    (tmp_path / "stacks" / "Pulumi.t.yaml").write_text(yaml.safe_dump({"config": config}))
    return tmp_path


def test_secure_values_are_opaque_offline(tmp_path):
    values = config_values(repo=REPO)
    values["cluster"]["kubeconfig"] = {"content": {"secure": "v1:AAAAciphertext"}}
    project = write_stack(tmp_path, {f"platform:{k}": v for k, v in values.items()})
    config = load_stack_file(project, "t")
    assert config.cluster.kubeconfig.content.get_secret_value() == OPAQUE_SECRET
    _, raw = read_stack_file(project, "t")
    flat, secret_keys = program_config(raw)
    assert secret_keys == ["platform:cluster"]
    assert "ciphertext" not in json.dumps(flat)


def test_other_namespaces_are_ignored(tmp_path):
    config = {f"platform:{k}": v for k, v in config_values(repo=REPO).items()} | {"aws:region": "eu-west-1"}
    assert load_stack_file(write_stack(tmp_path, config), "t").environment == "dev"


def test_unknown_stack_lists_known_ones():
    with pytest.raises(ConfigError) as caught:
        load_stack_file(REPO_ROOT, "nope")
    assert "local" in str(caught.value)


def test_broken_yaml_is_a_config_error(tmp_path):
    project = write_stack(tmp_path, {})
    (project / "stacks" / "Pulumi.t.yaml").write_text("config:\n  platform:environment: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_stack_file(project, "t")


def test_override_repo_keeps_agent_url_and_validates(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = make_config(repo=REPO)
    moved = override_repo(config, url="seed.git", branch="bootstrap")
    assert moved.repo.url == str(tmp_path / "seed.git")
    assert moved.repo.branch == "bootstrap"
    assert moved.repo.cluster_url == "https://git.example.com/platform/config.git"
    with pytest.raises(ConfigError, match=r"platform\.repo\.url"):
        override_repo(config, url="ftp://x")


def test_pulumi_program_loader_reads_the_platform_namespace(pulumi_recorder, tmp_path):
    import pulumi

    values = config_values(repo=REPO) | {"repo": {"url": "seed.git", "agentUrl": "https://h/x.git"}}
    flat = {f"platform:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    pulumi.runtime.set_all_config(flat | {"other:key": "1"}, [])
    config = load_pulumi_config(project_dir=tmp_path)
    assert isinstance(config, PlatformConfig)
    assert config.cluster.name == "dev-1"
    assert config.repo.url == str(tmp_path / "seed.git")


def test_pulumi_program_loader_reports_paths(pulumi_recorder):
    import pulumi

    pulumi.runtime.set_all_config({"platform:environment": "Nope!", "platform:gitops": '{"agent": "flux"}'}, [])
    with pytest.raises(ConfigError) as caught:
        load_pulumi_config()
    paths = {p.path for p in caught.value.problems}
    assert {"platform.environment", "platform.cluster", "platform.repo"} <= paths
    assert pulumi_recorder.registrations == []


def test_schema_accepts_the_local_stack_and_rejects_typos():
    schema = stack_config_schema()
    validator = jsonschema.Draft202012Validator(schema)
    document = yaml.safe_load((REPO_ROOT / "stacks" / "Pulumi.local.yaml").read_text())
    assert list(validator.iter_errors(document)) == []
    document["config"]["platform:cluster"]["zone"] = "x"
    assert list(validator.iter_errors(document))
    document["config"]["platform:cluster"].pop("zone")
    document["config"]["platform:repo"]["credentials"] = {"kind": "token", "token": {"secure": "v1:abc"}}
    assert list(validator.iter_errors(document)) == []
    document["config"]["platform:typo"] = 1
    assert list(validator.iter_errors(document))


def test_every_field_has_a_description():
    schema = stack_config_schema()
    missing = [
        f"{name}.{field}"
        for name, definition in schema["$defs"].items()
        for field, prop in definition.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert missing == []


def test_metadata_contract_variables():
    metadata = PlatformMetadata(
        environment="dev",
        cluster_name="dev-1",
        cluster_kind="existing",
        repo_url="https://h/x.git",
        repo_branch="main",
        repo_path="clusters/dev",
    )
    variables = metadata.to_variables()
    assert variables["PLATFORM_CONTRACT_VERSION"] == "v1"
    assert variables["PLATFORM_REGION"] == "none"
    assert variables["PLATFORM_CLUSTER_NAME"] == "dev-1"
    assert all(key.startswith("PLATFORM_") and key.isupper() for key in variables)
    with pytest.raises(ValidationError):
        PlatformMetadata(**metadata.model_dump() | {"contract_version": "v9"})


def test_pulumi_program_loader_refuses_a_shared_environment_like_the_stack_file_loader(pulumi_recorder, tmp_path):
    """`pulumi up` reads only its own stack's config; the stack files next to the program still show a sharing."""
    import pulumi

    project = project_skeleton(tmp_path / "project")
    values = config_values(repo=REPO)
    for stack in (pulumi.get_stack(), "other"):
        document = {"config": {f"platform:{key}": value for key, value in values.items()}}
        (project / "stacks" / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    flat = {f"platform:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    pulumi.runtime.set_all_config(flat, [])
    with pytest.raises(ConfigError) as caught:
        load_pulumi_config(project_dir=project)
    assert [p.path for p in caught.value.problems] == ["platform.environment"]
    assert "Pulumi.other.yaml" in str(caught.value) and pulumi_recorder.registrations == []
    (project / "stacks" / "Pulumi.other.yaml").unlink()  # alone in its environment: loads
    assert load_pulumi_config(project_dir=project).environment == values["environment"]
