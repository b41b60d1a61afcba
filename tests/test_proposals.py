"""Pull requests for upgrade branches: GitHub's REST API (a recording fake on 127.0.0.1) and generic hosts."""

from __future__ import annotations

import json
import subprocess
import traceback

import pytest

from platform_kit.publish import (
    GitHubPullRequests,
    NoProposals,
    Proposal,
    ProposalError,
    seed_files,
)

PROPOSAL = Proposal(branch="platform-kit/upgrade-0.2.0-dev", base="main", title="t", body="b\n")
TOKEN = "ghp_FAKE_token_for_the_fake_api_1234"
A = {"clusters/dev/a.yaml": "a: 1\n", "clusters/dev/b.yaml": "b: 1\n"}
B = {"clusters/dev/a.yaml": "a: 2\n", "clusters/dev/b.yaml": "b: 2\n"}


def pulls(api) -> GitHubPullRequests:
    return GitHubPullRequests("acme", "platform-config", TOKEN, api_url=api.url)


def test_opening_a_pull_request_posts_to_the_pulls_endpoint(fake_github_api):
    url = pulls(fake_github_api).open(PROPOSAL)

    assert url == "https://github.example/acme/platform-config/pull/1"
    (request,) = fake_github_api.requests
    assert (request.method, request.path) == ("POST", "/repos/acme/platform-config/pulls")
    assert request.body == {"title": "t", "head": PROPOSAL.branch, "base": "main", "body": "b\n"}
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"


def test_an_already_open_pull_request_is_found_instead_of_failing(fake_github_api):
    first = pulls(fake_github_api).open(PROPOSAL)

    again = pulls(fake_github_api).open(PROPOSAL)

    assert again == first
    methods = [(r.method, r.path.split("?")[0]) for r in fake_github_api.requests]
    endpoint = "/repos/acme/platform-config/pulls"
    assert methods == [("POST", endpoint), ("POST", endpoint), ("GET", endpoint)]
    assert "head=acme:platform-kit%2Fupgrade-0.2.0-dev" in fake_github_api.requests[-1].path


def test_a_refused_token_is_one_clear_error_without_the_token_and_not_retried(fake_github_api):
    fake_github_api.respond_with(401, {"message": f"Bad credentials {TOKEN}"})

    with pytest.raises(ProposalError, match=r"the token was refused \(HTTP 401\)") as info:
        pulls(fake_github_api).open(PROPOSAL)

    assert TOKEN not in "".join(traceback.format_exception(info.value))
    assert len(fake_github_api.requests) == 1


def test_a_rate_limit_is_reported_as_such_and_not_retried(fake_github_api):
    fake_github_api.respond_with(403, {"message": "You have exceeded a secondary rate limit."})

    with pytest.raises(ProposalError, match="HTTP 403 You have exceeded a secondary rate limit"):
        pulls(fake_github_api).open(PROPOSAL)
    assert len(fake_github_api.requests) == 1


def test_server_errors_are_retried_a_bounded_number_of_times(fake_github_api):
    fake_github_api.respond_with(502, {"message": "Bad Gateway"})
    assert pulls(fake_github_api).open(PROPOSAL) is not None  # second try succeeds
    assert len(fake_github_api.requests) == 2

    for _ in range(3):
        fake_github_api.respond_with(503, {"message": "Unavailable"})
    with pytest.raises(ProposalError, match="HTTP 503"):
        pulls(fake_github_api).open(Proposal("other", "main", "t", "b"))
    assert len(fake_github_api.requests) == 5


def test_generic_hosts_have_no_review_api():
    assert NoProposals().open(PROPOSAL) is None


def test_an_upgrade_opens_one_pull_request_listing_proposed_and_skipped_files(git_daemon, fake_github_api, tmp_path):
    repo, url = git_daemon.create_repo("cfg"), git_daemon.url("cfg")
    seed_files(url, A, environment="dev", library_version="0.1.0", template_version="1")
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", url, str(work)], check=True)
    (work / "clusters/dev/b.yaml").write_text("b: human\n")
    git_id = ["-c", "user.name=h", "-c", "user.email=h@example.com"]
    subprocess.run(["git", *git_id, "commit", "-qam", "edit"], cwd=work, check=True)
    subprocess.run(["git", "push", "-q", "origin", "main"], cwd=work, check=True)
    host = pulls(fake_github_api)

    result = seed_files(url, B, environment="dev", library_version="0.2.0", template_version="2", proposals=host)

    assert result.proposal is not None and result.proposal.url == "https://github.example/acme/platform-config/pull/1"
    (request,) = fake_github_api.requests
    assert request.body["head"] == "platform-kit/upgrade-0.2.0-dev" and request.body["base"] == "main"
    assert request.body["title"] == "platform-kit: upgrade dev to 0.2.0"
    body = request.body["body"]
    assert "- `clusters/dev/a.yaml`" in body and "edited by humans" in body and "- `clusters/dev/b.yaml`" in body
    branch = subprocess.run(
        ["git", "--git-dir", str(repo), "rev-parse", request.body["head"]], capture_output=True, text=True
    )
    assert branch.stdout.strip() == result.proposal.commit

    again = seed_files(url, B, environment="dev", library_version="0.2.0", template_version="2", proposals=host)
    assert again.proposal is not None and again.proposal.state == "exists" and again.proposal.url == result.proposal.url
    assert len(fake_github_api.pulls) == 1
    assert TOKEN not in json.dumps([r.body for r in fake_github_api.requests])
