"""The seed resource's state stays small: a digest per file and one archive in, a fingerprint and counts out."""

from __future__ import annotations

import json

import pytest
from factories import make_config
from teams_support import TEAMS_CONFIG, many_teams, rendered

from platform_kit.gitops.seed import SEED_COMMIT_TYPE, ConfigRepoSeed, ConfigRepoSeedArgs, SeedProvider, seeded_files
from platform_kit.gitops.seed_state import contents, fingerprint, pack_files
from platform_kit.publish import GitAuth

STATE_LIMIT = 2 * 2**20
"""Inputs plus outputs of the seed for the dev stack with 500 teams (issue 12)."""


def test_500_teams_keep_the_seeds_inputs_and_outputs_under_2_mb(pulumi_recorder, tmp_path):
    files = rendered(make_config(TEAMS_CONFIG, cluster="eks", teams=many_teams(500)))
    args = ConfigRepoSeedArgs(
        url=str(tmp_path / "config.git"), branch="main", files=files, environment="dev", auth=GitAuth("git", "tok")
    )
    ConfigRepoSeed("dev-seed", args)
    inputs = pulumi_recorder.get(SEED_COMMIT_TYPE, "dev-seed-commit").inputs

    outputs = SeedProvider().create({k: v for k, v in inputs.items() if k != "__provider"}).outs

    content = sum(len(text.encode()) for text in files.values())
    state = len(json.dumps(inputs)) + len(json.dumps(outputs))
    assert len(files) > 5000 and content > 4 * 2**20  # the tree is as large as the issue's
    assert state < STATE_LIMIT, f"{state} bytes"
    assert len(json.dumps(outputs)) < 1024 and outputs["created"] == len(files)
    assert seeded_files(inputs) == files  # the offline engine's tree, from the small inputs


def test_packing_is_deterministic_and_round_trips():
    files = {"b.yaml": "b: 1\n", "a/ü.yaml": "name: ü\n"}

    packed = pack_files(files)

    assert pack_files(dict(reversed(list(files.items())))) == packed
    assert list(packed["files"]) == ["a/ü.yaml", "b.yaml"]
    assert contents(packed) == files


def test_an_archive_that_does_not_match_its_digests_is_refused():
    packed = pack_files({"a.yaml": "a: 1\n"})
    other = pack_files({"a.yaml": "a: 2\n"})

    with pytest.raises(ValueError, match="does not match its file digests"):
        contents({**packed, "archive": other["archive"]})
    with pytest.raises(ValueError, match="not valid base64 gzip JSON"):
        contents({**packed, "archive": "not an archive"})


def test_both_state_formats_have_the_same_fingerprint():
    files = {"a.yaml": "a: 1\n"}
    common = {"message": "m", "environment": "dev", "versions": {"library": "1", "templates": "1"}}

    assert fingerprint({**common, **pack_files(files)}) == fingerprint({**common, "files": files})
    assert fingerprint({**common, **pack_files(files)}) != fingerprint({**common, **pack_files({"a.yaml": "a: 2\n"})})
