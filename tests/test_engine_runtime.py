"""What the offline engine changes in the Python runtime while a program runs, and that it puts it back."""

from __future__ import annotations

import gc

import pulumi
from pulumi.runtime import resource as pulumi_resource

from platform_kit.offline.engine import run_program, with_computed


class Thing(pulumi.CustomResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:index:Thing", name, {"value": name})


def test_a_run_skips_the_stack_walk_and_restores_it_after() -> None:
    original = pulumi_resource._get_stack_trace
    seen: list[tuple[bool, int]] = []

    def program() -> None:  # what the SDK calls for each registration's trace, and what it sends
        seen.append((pulumi_resource._get_stack_trace is original, len(pulumi_resource._get_stack_trace().frames)))
        Thing("a")

    registrations = run_program(program, project="p", stack="s")
    assert [r.name for r in registrations] == ["a"] and registrations[0].inputs == {"value": "a"}
    assert seen == [(False, 0)]
    assert pulumi_resource._get_stack_trace is original


def test_a_run_leaves_the_garbage_collector_as_it_found_it() -> None:
    gc.disable()
    try:
        run_program(lambda: Thing("b"), project="p", stack="s")
        assert not gc.isenabled()
    finally:
        gc.enable()
    run_program(lambda: Thing("c"), project="p", stack="s")
    assert gc.isenabled() and gc.get_freeze_count() == 0  # nothing left frozen: later full passes reach the run


def test_computed_outputs_join_the_inputs_nested_ones_too_and_inputs_win():
    computed = {"arn": "arn:fake", "name": "logical", "vpcConfig": {"vpcId": "vpc-1", "subnetIds": ["computed"]}}
    inputs = {"name": "given", "vpcConfig": {"subnetIds": ["a", "b"], "endpointPrivateAccess": True}}
    assert with_computed(computed, inputs) == {
        "arn": "arn:fake",
        "name": "given",
        "vpcConfig": {"vpcId": "vpc-1", "subnetIds": ["a", "b"], "endpointPrivateAccess": True},
    }
    assert with_computed({}, inputs) == inputs and with_computed(computed, {}) == computed
