"""README texts of the team directories (pure). The team README depends only on the team's name,
so it is identical for every environment and agent, like every shared file."""

from __future__ import annotations

from platform_kit.config.models import PlatformConfig
from platform_kit.repo.teams.objects import INGRESS_LABEL, MONITORING_NAMESPACE, TEAM_STORE


def team_readme(team: str) -> str:
    """`teams/<team>/README.md`: what the team owns and how to change it."""
    return f"""# Team `{team}`

This directory is yours. Everything under it is deployed into your namespaces by the
platform's GitOps agent, with your team's permissions (Kubernetes `edit` in your
namespaces, nothing cluster-wide).

| path | what | who changes it |
|---|---|---|
| `base/` | your workloads, shared by every environment (list files in `base/kustomization.yaml`) | you |
| `<env>/` | one overlay per environment (replicas, resources, hostnames); the agent applies this | you |
| `clusters/<env>/teams/{team}/` | namespaces, quota, network policies, access, secrets, wiring | platform (PR) |

On a fleet spoke, the platform's directory is `clusters/<env>/<cluster>/teams/{team}/`.

What you get in every environment:

- **Namespaces** named in the platform's stack config (the first is your default; objects
  without a namespace land there). Pod Security `restricted` is enforced.
- **Quota** per namespace from your size class (`small`, `medium`, `large`); containers
  without requests or limits get defaults.
- **Network**: all ingress is denied except from your own namespace, from ingress
  controllers (namespaces labelled `{INGRESS_LABEL}: "true"`) and from Prometheus
  (`{MONITORING_NAMESPACE}`). Egress is open; add your own policies to close it.
- **Access**: your owner groups have `edit` in your namespaces (Argo CD: also the
  `owners` role of your AppProject `team-{team}`; on a hub-managed spoke `<cluster>-{team}`).
- **Secrets**: put them in AWS Secrets Manager under `<env>/teams/{team}/` (on a fleet spoke, per
  cluster: `<env>/<cluster>/teams/{team}/`) and read them
  with an `ExternalSecret` whose `secretStoreRef` is the SecretStore `{TEAM_STORE}` (EKS) or
  the ClusterSecretStore `team-{team}` (other clusters); keys are relative to your prefix
  (`remoteRef.key: db-password`). You cannot create or change secret stores yourself.

To deploy from another repository, ask for it to be added to `sourceRepos` of your team
entry. With Flux, define its GitRepository and Kustomization in your namespace with
`serviceAccountName: flux-reconciler`; with Argo CD, add an Application in `base/` in
project `team-{team}` (`<cluster>-{team}` on a hub-managed spoke).
"""


def teams_dir_readme(config: PlatformConfig, how: str) -> str:
    """`clusters/<env>/teams/README.md`: how teams are added (no team is listed here); `how` is the agent's part."""
    return f"""# Teams of `{config.environment}`

One directory per team; {how}. Nothing in this environment lists the teams, so adding a
team adds files and changes none.

Onboarding a team: add an entry to `platform:teams` in the environment's stack config and
run `pulumi up` (or `platform-kit seed`). The seed adds `{config.environment_path}/teams/<team>/`,
`teams/<team>/README.md`, `teams/<team>/base/` and `teams/<team>/{config.environment}/`; Pulumi
adds the team's secrets prefix and IAM identity and publishes its role in the metadata
contract (`PLATFORM_TEAM_<TEAM>_ROLE_ARN`, cluster Secret annotation
`platform-kit.io/team-<team>-role-arn`).

Removing a team: delete its entry and its directory here; the agent prunes the team's
objects but keeps its namespaces (prune disabled), so no workload or volume is lost to a bad
merge. Delete the namespaces by hand once their data is safe.
"""
