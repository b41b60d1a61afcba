"""The public surface: the facade, its laziness, its documentation, and the typed joints behind it."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from importlib import import_module
from pathlib import Path
from types import ModuleType

import pulumi
import pytest
from factories import make_config, make_contract

import platform_kit
from platform_kit import Platform, PlatformArgs, PlatformMetadata
from platform_kit.gitops import AgentArgs, ArgoCdAgent, FluxAgent, GitOpsAgent, build_agent
from platform_kit.repo.agent import AgentLayout
from platform_kit.repo.argocd import ArgoCdLayout
from platform_kit.repo.flux import FluxLayout
from platform_kit.repo.render import agent_layout

REPO_ROOT = Path(__file__).resolve().parent.parent
PUBLIC_API_DOC = REPO_ROOT / "docs" / "public-api.md"


WITH_A_TEAM = {"cluster.kubeconfig.path": "k", "teams": [{"name": "payments", "owners": ["payments-devs"]}]}
"""Overrides of these tests: one team."""


def declared(cls: type) -> set[str]:
    """Attributes annotated on `cls` or on its platform_kit base classes (not Pulumi's)."""
    own = [klass for klass in cls.__mro__ if klass.__module__.startswith("platform_kit")]
    return {name for klass in own for name in vars(klass).get("__annotations__", {})}


SUBPACKAGES = ("config", "repo", "publish", "cluster", "gitops", "platform")
"""The packages docs/public-api.md sends readers to for the facade's names."""


def home_of(name: str, value: object) -> ModuleType | None:
    """The subpackage that exports `name` (in its `__all__`, or as the module the class or function is defined in)."""
    for package in SUBPACKAGES:
        module = import_module(f"platform_kit.{package}")
        if name in getattr(module, "__all__", ()) or getattr(value, "__module__", None) == module.__name__:
            return module
    return None


def test_every_public_name_resolves_to_what_its_module_defines():
    names = platform_kit.__all__[1:]
    assert platform_kit.__all__ == ["__version__", *sorted(names)]
    for name in names:
        value = getattr(platform_kit, name)
        home = home_of(name, value)
        assert home is not None and getattr(home, name) is value, name
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        platform_kit.Nope  # noqa: B018


def test_importing_the_facade_imports_no_pulumi():
    script = "import sys, platform_kit; print(sorted(m for m in sys.modules if m.split('.')[0].startswith('pulumi')))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


def test_pure_names_load_without_pulumi():
    script = (
        "import sys, platform_kit\n"
        "platform_kit.render_config_repo, platform_kit.PlatformConfig, platform_kit.load_stack_file\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0].startswith('pulumi')))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


def test_the_public_surface_is_documented_name_by_name():
    documented = set(re.findall(r"^\| `([A-Za-z_]+)`", PUBLIC_API_DOC.read_text(), re.M))
    assert documented == set(platform_kit.__all__) - {"__version__"}


def test_old_module_paths_forward_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from platform_kit.repo.argocd_root import root_application as old
    from platform_kit.repo.argocd.root import root_application

    assert old is root_application
    assert any("platform_kit.repo.argocd.root" in str(w.message) for w in caught)


@pytest.mark.parametrize("agent", ["flux", "argocd"])
def test_each_agent_layout_implements_the_layout_protocol(agent):
    layout = agent_layout(make_config(WITH_A_TEAM, agent=agent))
    assert isinstance(layout, {"flux": FluxLayout, "argocd": ArgoCdLayout}[agent])
    assert layout.agent == agent
    members = [name for name in vars(AgentLayout) if not name.startswith("_")]
    members += list(AgentLayout.__annotations__)
    for member in set(members):
        assert hasattr(layout, member), member
    assert layout.agent_user.startswith("system:serviceaccount:")


def test_a_layout_refuses_the_other_agents_config():
    with pytest.raises(TypeError, match="gitops.agent = flux"):
        FluxLayout(make_config(WITH_A_TEAM, agent="argocd"))
    with pytest.raises(TypeError, match="gitops.agent = argocd"):
        ArgoCdLayout(make_config(WITH_A_TEAM, agent="flux"))


@pytest.mark.parametrize(("agent", "component"), [("flux", FluxAgent), ("argocd", ArgoCdAgent)])
def test_build_agent_returns_the_chosen_agent_with_every_protocol_member(pulumi_recorder, agent, component):
    config = make_config(WITH_A_TEAM, agent=agent)
    built = build_agent("a", AgentArgs(config=config, metadata=make_contract(config)), pulumi.ResourceOptions())
    assert type(built) is component
    assert declared(GitOpsAgent) == {"namespace", "root_sync", "webhook_secret", "webhook_url"}
    for member in declared(GitOpsAgent):
        assert member in declared(component), member
        assert hasattr(built, member), member
    assert built.namespace == config.gitops.namespace


def test_the_old_variables_form_of_the_contract_still_reaches_the_agent(pulumi_recorder):
    config = make_config(WITH_A_TEAM, agent="flux")
    with pytest.warns(DeprecationWarning, match="pass a PlatformMetadata"):
        FluxAgent("f", AgentArgs(config=config, metadata=make_contract(config).to_variables()))
        data = pulumi_recorder.inputs("kubernetes:core/v1:ConfigMap", "f-metadata")["data"]
    assert data == make_contract(config).to_variables()


def test_platform_declares_and_documents_every_public_attribute(pulumi_recorder):
    built = Platform("dev", PlatformArgs(config=make_config(WITH_A_TEAM, agent="argocd")))
    inherited = set(vars(pulumi.ComponentResource("t:m:C", "c")))  # urn, id
    public = {name for name in vars(built) if not name.startswith("_")} - inherited
    assert public <= declared(Platform), public - declared(Platform)
    source = Path(sys.modules[Platform.__module__].__file__).read_text()
    for name in public:
        assert re.search(rf"^    {name}: .*\n    \"\"\"", source, re.M), f"{name} has no docstring"
    metadata, _ = pulumi_recorder.resolve(built.metadata)
    assert isinstance(metadata, PlatformMetadata)
    variables, _ = pulumi_recorder.resolve(built.metadata_variables)
    assert variables == metadata.to_variables()
