"""Replay recorded resources through the policy pack's real pulumi-policy analyzer (run in .venv-policy).

Usage: python tests/policy_replay.py CASES.json -> prints {case: {"info": [...], "diagnostics": [...]}}.

Each case: `resources` (urn, type, name, parent, dependencies, inputs, provider as `<urn>::<id>`,
propertyDependencies), `stack_config` (what Pulumi hands the pack as PULUMI_CONFIG) and
`policy_config` (per-policy settings). Every resource goes through the analyzer's `Analyze`
(with its provider, as the engine sends it) and all of them through `AnalyzeStack`, as
gRPC messages, so the pack's adapter runs behind the SDK's own deserialisation and
unknown-value proxies. Not run by pytest directly: tests/test_policy_pack.py runs it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pulumi.runtime
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "policy"))

from guardrails_pack import PACK_NAME, policies  # noqa: E402

LEVELS = {0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate"}


def struct(value: dict[str, Any]) -> struct_pb2.Struct:
    """A protobuf Struct of a JSON-like dict."""
    return json_format.ParseDict(value, struct_pb2.Struct())


def provider_message(resource: dict[str, Any], by_urn: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The provider fields of an analyzer request, or none."""
    urn = (resource.get("provider") or "").rsplit("::", 1)[0]
    if urn not in by_urn:
        return {}
    provider = by_urn[urn]
    return {
        "provider": analyzer_pb2.AnalyzerProviderResource(
            type=provider["type"], properties=struct(provider["inputs"]), urn=urn, name=provider["name"]
        )
    }


def diagnostics(response: Any) -> list[dict[str, str]]:
    """The diagnostics of an analyzer response as plain dicts."""
    return [
        {
            "policy": d.policyName,
            "urn": d.urn,
            "message": d.message,
            "level": LEVELS.get(d.enforcementLevel, str(d.enforcementLevel)),
        }
        for d in response.diagnostics
    ]


def replay(case: dict[str, Any]) -> dict[str, Any]:
    """Run one case through a fresh analyzer."""
    os.environ["PULUMI_CONFIG"] = json.dumps(case.get("stack_config", {}))
    pulumi.runtime.set_all_config({})
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.1.0", policies(), EnforcementLevel.MANDATORY)
    servicer.Configure(
        analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={
                name: analyzer_pb2.PolicyConfig(enforcementLevel=1, properties=struct(settings))
                for name, settings in case.get("policy_config", {}).items()
            }
        ),
        None,
    )
    resources = case["resources"]
    by_urn = {r["urn"]: r for r in resources}
    found = []
    for r in resources:
        request = analyzer_pb2.AnalyzeRequest(
            type=r["type"], properties=struct(r["inputs"]), urn=r["urn"], name=r["name"], **provider_message(r, by_urn)
        )
        found += diagnostics(servicer.Analyze(request, None))
    stack = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=r["type"],
                properties=struct(r["inputs"]),
                urn=r["urn"],
                name=r["name"],
                parent=r.get("parent") or "",
                dependencies=r.get("dependencies", []),
                propertyDependencies={
                    key: analyzer_pb2.AnalyzerPropertyDependencies(urns=urns)
                    for key, urns in r.get("propertyDependencies", {}).items()
                },
                **provider_message(r, by_urn),
            )
            for r in resources
        ]
    )
    found += diagnostics(servicer.AnalyzeStack(stack, None))
    info = servicer.GetAnalyzerInfo(None, None)
    policies_info = [
        {"name": p.name, "level": LEVELS.get(p.enforcementLevel, str(p.enforcementLevel)), "type": p.policy_type}
        for p in info.policies
    ]
    return {"info": policies_info, "diagnostics": found}


def main() -> None:
    cases = json.loads(Path(sys.argv[1]).read_text())
    print(json.dumps({name: replay(case) for name, case in cases.items()}))


if __name__ == "__main__":
    main()
