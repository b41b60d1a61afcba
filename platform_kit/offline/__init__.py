"""Offline tooling: run a stack's program under Pulumi's mock runtime and write what it registered.

- `engine`: the recording mock engine (`run_program`, `is_offline`, `Registration`).
- `fakes`: placeholder values for what the cloud computes (ARNs, endpoints, key material).
- `preview`: run a stack offline (`run_stack`) and write plan.json, summary.md and config-repo/.
- `preview_inflate`: `render --inflate`, every object that lands on the cluster.
- `summary`: summary.md from the registrations (pure: no Pulumi).

Nothing is imported here, so `platform_kit.offline.summary` stays free of Pulumi.
"""
