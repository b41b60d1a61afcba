"""The config repo's own CI: a GitHub Actions workflow that gates every pull request (pure).

It builds every kustomization and validates every object with the same checks this
project's tests use (`platform-kit validate-repo`), then runs the shared Pod Security
Standards policies against every environment's apps with the Kyverno CLI.
"""

from __future__ import annotations

from platform_kit.config.library import LibraryConfig
from platform_kit.repo.manifest import Manifest, dump_yaml

WORKFLOW_PATH = ".github/workflows/platform-config.yaml"
"""Where the workflow lives in the config repo (shared by every environment)."""

VALIDATE_EXTRAS = ("validate",)
"""Extras of the library the workflow installs (`validate-repo` needs kubectl and the schema validators)."""

KYVERNO_CLI_VERSION = "v1.15.2"
"""Kyverno CLI release the workflow downloads (matches the pinned kyverno chart's Kyverno)."""

KYVERNO_CLI_URL = (
    f"https://github.com/kyverno/kyverno/releases/download/{KYVERNO_CLI_VERSION}/"
    f"kyverno-cli_{KYVERNO_CLI_VERSION}_linux_x86_64.tar.gz"
)

POLICY_SCRIPT = f"""set -euo pipefail
curl -sSfL {KYVERNO_CLI_URL} | tar -xz kyverno
for dir in apps/*/; do
  [ "$dir" = "apps/base/" ] && continue
  kubectl kustomize "$dir" > /tmp/apps.yaml
  [ -s /tmp/apps.yaml ] || continue
  echo "::group::$dir"
  ./kyverno apply infrastructure/policies/policies.yaml --resource /tmp/apps.yaml
  echo "::endgroup::"
done
"""


def ci_workflow(library: LibraryConfig | None = None) -> Manifest:
    """The workflow file: validate on every pull request and push, with the library `library` names."""
    library = library or LibraryConfig()
    workflow = {
        "name": "platform-config",
        "on": {"pull_request": {}, "push": {}},
        "permissions": {"contents": "read"},
        "jobs": {
            "validate": {
                "runs-on": "ubuntu-24.04",
                "timeout-minutes": 15,
                "steps": [
                    {"uses": "actions/checkout@v4"},
                    {"uses": "actions/setup-python@v5", "with": {"python-version": "3.12"}},
                    {
                        "name": "Install the validator (platform:library; default: the version that seeded this repo)",
                        "run": library.pip_install(VALIDATE_EXTRAS),
                    },
                    {"name": "Build every kustomization, validate every object", "run": "platform-kit validate-repo ."},
                    {
                        "name": "Pod Security Standards on every environment's apps",
                        "if": "hashFiles('infrastructure/policies/policies.yaml') != ''",
                        "run": POLICY_SCRIPT,
                    },
                ],
            }
        },
    }
    header = "# Seeded by platform-kit: the quality gate of this repository. Yours to extend.\n"
    return Manifest(WORKFLOW_PATH, dump_yaml([workflow], header=header))
