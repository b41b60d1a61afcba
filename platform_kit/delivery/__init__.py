"""Delivering the config repo, without Pulumi: credentials, the seed's orchestration, its reports.

- `credentials`: resolve the config's credential references into `GitAuth` (at the edge) and the
  agents' Secret data for them.
- `seeding`: `publish_seed` / `preview_seed`, one environment's seed through the shared publisher;
  the CLI's `seed` and the Pulumi resource (`platform_kit.gitops.seed.ConfigRepoSeed`) both call it.
- `seed_report`: what a seed did, or would do, in words (`platform-kit seed [--plan]`).

Nothing is imported here; every module is free of Pulumi (an import contract checks).
"""
