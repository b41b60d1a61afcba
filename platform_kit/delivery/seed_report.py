"""Human-readable summaries of a seed and of a seed plan (`platform-kit seed [--plan]`)."""

from __future__ import annotations

from platform_kit.publish import ProposalOutcome, SeedResult
from platform_kit.text import plural


def describe_seed(result: SeedResult, where: str) -> str:
    """What `publish_seed` did, one line per kind of change, every proposed or skipped path listed."""
    plan = result.plan
    existing = len(plan.propose) + len(plan.skipped) + len(plan.unchanged)
    if result.commit is None:
        lines = [f"nothing to seed: all {plural(existing, 'file')} already in {where} at {result.head[:12]}"]
    elif plan.create:
        lines = [
            f"seeded {plural(len(plan.create), 'file')} in one commit {result.commit[:12]} to {where}; "
            f"{plural(existing, 'existing file')} left untouched"
        ]
    else:
        lines = [f"recorded the seed ({result.record}) in commit {result.commit[:12]} to {where}"]
    if result.proposal is not None:
        lines.append(_proposal_line(result.proposal, len(plan.propose)))
        lines += [f"  {path}" for path in plan.propose]
    if plan.skipped:
        lines.append(f"skipped {plural(len(plan.skipped), 'file')}: edited by humans since the seed (left untouched)")
        lines += [f"  {path}" for path in plan.skipped]
    return "\n".join(lines)


def describe_plan(result: SeedResult, where: str) -> str:
    """What `publish_seed` would do now; nothing was pushed."""
    plan = result.plan
    lines = [f"plan for {where} (nothing pushed):"]
    lines.append(f"create: {plural(len(plan.create), 'file')}")
    lines += [f"  {path}" for path in plan.create]
    if plan.record_changed:
        lines.append(f"  {result.record} (seed record)")
    if plan.propose:
        state = result.proposal.state if result.proposal else None
        note = {"exists": " (already there)", "conflict": " (exists with other changes: not touched)"}.get(state, "")
        lines.append(f"propose on {result.upgrade_branch}{note}: {plural(len(plan.propose), 'file')}")
        lines += [f"  {path}" for path in plan.propose]
    lines.append(f"skipped: edited by humans: {plural(len(plan.skipped), 'file')}")
    lines += [f"  {path}" for path in plan.skipped]
    lines.append(f"unchanged: {plural(len(plan.unchanged), 'file')}")
    return "\n".join(lines)


def _proposal_line(proposal: ProposalOutcome, count: int) -> str:
    if proposal.state == "conflict":
        return (
            f"not proposed: branch {proposal.branch} already exists with other changes; "
            f"merge or delete it, then seed again ({plural(count, 'file')} {'waits' if count == 1 else 'wait'})"
        )
    verb = "proposed" if proposal.state == "created" else "already proposed"
    review = f" (pull request {proposal.url})" if proposal.url else ""
    return f"{verb} {plural(count, 'file')} whose rendering changed on branch {proposal.branch}{review}"
