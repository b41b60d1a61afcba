"""`platform-kit serve`: the project's .gitops repos over smart HTTP, with the clients the agents use.

Argo CD's repo-server runs the git CLI; Flux's source-controller speaks smart HTTP through
go-git, stood in for here by dulwich's HTTP client (the same protocol v0/v1 exchange).
"""

from __future__ import annotations

import base64
import http.client
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dulwich import porcelain
from dulwich.client import HttpGitClient, HTTPUnauthorized
from dulwich.repo import Repo

from platform_kit.publish import publish_files
from platform_kit.publish.serve import GitopsServer
from platform_kit.testing.git_server import HUMAN_GIT_ENV, git

TOKEN = "push-token-for-serve-tests"
REPO_ROOT = Path(__file__).resolve().parent.parent
FLUX_TREE = {
    "clusters/local/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
    "README.md": "# platform-config\n",
}
ARGO_TREE = {"projects/platform.yaml": "kind: AppProject\n", "README.md": "# argocd\n"}


def _seed(project: Path) -> dict[str, str]:
    """Both local stacks' repos under .gitops, published by the seed's publisher; name -> main's commit."""
    heads = {}
    for name, files in (("platform-config.git", FLUX_TREE), ("platform-config-argocd.git", ARGO_TREE)):
        result = publish_files(str(project / ".gitops" / name), files, create_local=True)
        heads[name] = result.commit
    return heads


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    return project


@pytest.fixture
def heads(project: Path) -> dict[str, str]:
    return _seed(project)


@pytest.fixture
def server(project: Path, heads: dict[str, str]) -> Iterator[GitopsServer]:
    with GitopsServer(project / ".gitops", "127.0.0.1", 0, push_token=TOKEN) as running:
        yield running


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _request(server: GitopsServer, path: str, method: str = "GET", headers: dict[str, str] | None = None):
    """A raw request (the path is sent exactly as given, no client-side normalisation)."""
    host, port = server.address
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", "0")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


# --- the git CLI, as Argo CD's repo-server runs it ---------------------------------------------


def test_git_cli_clones_ls_remotes_and_fetches_both_local_repos(server, heads, project, tmp_path):
    assert server.repositories() == ["platform-config-argocd.git", "platform-config.git"]
    for name, files in (("platform-config.git", FLUX_TREE), ("platform-config-argocd.git", ARGO_TREE)):
        url = server.url(name)
        assert f"{heads[name]}\trefs/heads/main" in git("ls-remote", url)
        checkout = tmp_path / name
        git("clone", "-q", "--branch", "main", url, str(checkout))
        for path, content in files.items():
            assert (checkout / path).read_text() == content
        assert git("rev-parse", "HEAD", cwd=checkout).strip() == heads[name]

    # a re-seed lands in the bare repo; the agent's next fetch sees it
    later = publish_files(str(project / ".gitops" / "platform-config.git"), {"apps/new.yaml": "kind: Namespace\n"})
    checkout = tmp_path / "platform-config.git"
    git("fetch", "-q", "origin", cwd=checkout)
    assert git("rev-parse", "origin/main", cwd=checkout).strip() == later.commit
    assert git("show", "origin/main:apps/new.yaml", cwd=checkout) == "kind: Namespace\n"


def _commit_in_clone(server: GitopsServer, tmp_path: Path, name: str) -> Path:
    checkout = tmp_path / f"push-{name}"
    git("clone", "-q", server.url("platform-config.git"), str(checkout))
    (checkout / name).write_text(name)
    git("add", name, cwd=checkout)
    git("commit", "-qm", f"add {name}", cwd=checkout)
    return checkout


def test_git_cli_push_needs_the_token(server, heads, project, tmp_path):
    checkout = _commit_in_clone(server, tmp_path, "pushed.txt")
    bare = Repo(str(project / ".gitops" / "platform-config.git"))

    anonymous = subprocess.run(["git", "push", "origin", "main"], cwd=checkout, env=HUMAN_GIT_ENV, capture_output=True)
    assert anonymous.returncode != 0
    # the 401 challenge makes git ask for credentials; with prompts off (as in an agent) it gives up
    assert b"could not read Username" in anonymous.stderr
    wrong = ["git", "-c", f"http.extraHeader=Authorization: {_basic('git', 'nope')}", "push", "origin", "main"]
    assert subprocess.run(wrong, cwd=checkout, env=HUMAN_GIT_ENV, capture_output=True).returncode != 0
    assert bare.refs[b"refs/heads/main"].decode() == heads["platform-config.git"]

    git("-c", f"http.extraHeader=Authorization: {_basic('git', TOKEN)}", "push", "-q", "origin", "main", cwd=checkout)
    pushed = git("rev-parse", "HEAD", cwd=checkout).strip()
    assert bare.refs[b"refs/heads/main"].decode() == pushed
    assert bare[bare[pushed.encode()].tree].lookup_path(bare.__getitem__, b"pushed.txt")


def test_without_a_token_every_push_is_refused(project, heads, tmp_path):
    with GitopsServer(project / ".gitops", "127.0.0.1", 0) as server:
        checkout = _commit_in_clone(server, tmp_path, "x.txt")
        header = f"http.extraHeader=Authorization: {_basic('git', TOKEN)}"
        proc = subprocess.run(
            ["git", "-c", header, "push", "origin", "main"], cwd=checkout, env=HUMAN_GIT_ENV, capture_output=True
        )
        assert proc.returncode != 0 and b"403" in proc.stderr
        status, _, _ = _request(
            server, "/platform-config.git/git-receive-pack", "POST", {"Authorization": _basic("git", TOKEN)}
        )
        assert status == 403
    assert (
        Repo(str(project / ".gitops" / "platform-config.git")).refs[b"refs/heads/main"].decode()
        == heads["platform-config.git"]
    )


# --- smart HTTP as go-git speaks it (Flux's source-controller), through dulwich's client ---------


def test_go_git_style_client_clones_and_reads_the_seeded_tree(server, heads, tmp_path):
    client = HttpGitClient(server.url())
    refs = client.get_refs("/platform-config.git").refs
    assert refs[b"refs/heads/main"].decode() == heads["platform-config.git"]

    target = tmp_path / "flux-clone"
    with porcelain.clone(server.url("platform-config.git"), str(target), bare=True, checkout=False) as repo:
        commit = repo[repo.refs[b"refs/heads/main"]]
        assert commit.id.decode() == heads["platform-config.git"]
        for path, content in FLUX_TREE.items():
            _, blob = repo[commit.tree].lookup_path(repo.__getitem__, path.encode())
            assert repo[blob].data == content.encode()


def test_responses_carry_a_content_length_and_the_smart_content_type(server, heads):
    status, headers, body = _request(server, "/platform-config.git/info/refs?service=git-upload-pack")
    assert status == 200
    assert headers["Content-Type"] == "application/x-git-upload-pack-advertisement"
    assert int(headers["Content-Length"]) == len(body) > 0
    assert heads["platform-config.git"].encode() in body


def test_go_git_style_push_needs_the_token(server, heads, project, tmp_path):
    work = tmp_path / "work"
    porcelain.clone(server.url("platform-config.git"), str(work)).close()
    (work / "flux.txt").write_text("flux\n")
    porcelain.add(str(work), [str(work / "flux.txt")])
    new = porcelain.commit(str(work), message=b"flux", author=b"A <a@b>", committer=b"A <a@b>")
    url = server.url("platform-config.git")
    with pytest.raises(HTTPUnauthorized):
        porcelain.push(str(work), url, "main", errstream=open(os.devnull, "wb"))
    porcelain.push(str(work), url, "main", username="git", password=TOKEN, errstream=open(os.devnull, "wb"))
    assert Repo(str(project / ".gitops" / "platform-config.git")).refs[b"refs/heads/main"] == new


# --- nothing outside .gitops, nothing but its bare repos ----------------------------------------


@pytest.fixture
def outside(project: Path) -> str:
    """A real bare repo next to .gitops (and /etc/passwd on the system): neither may be served."""
    result = publish_files(str(project / "outside.git"), {"secret.txt": "outside\n"}, create_local=True)
    return result.commit


TRAVERSALS = [
    "/../outside.git/info/refs?service=git-upload-pack",
    "/%2e%2e/outside.git/info/refs?service=git-upload-pack",
    "/%2E%2E%2Foutside.git/info/refs?service=git-upload-pack",
    "/platform-config.git/../../outside.git/info/refs?service=git-upload-pack",
    "/platform-config.git/%2e%2e/%2e%2e/outside.git/info/refs?service=git-upload-pack",
    "/..%2f..%2f..%2f..%2f..%2fetc/passwd",
    "/../../../../../../etc/passwd",
    "//etc/passwd",
    "/{project}/outside.git/info/refs?service=git-upload-pack",
    "/{project}/.gitops/platform-config.git/info/refs?service=git-upload-pack",
    "/link.git/info/refs?service=git-upload-pack",
    "/link.git/HEAD",
    "/.git/info/refs?service=git-upload-pack",
    "/platform-config.git/config",
    "/platform-config.git/objects/../config",
    "/missing.git/info/refs?service=git-upload-pack",
    "/platform-config/info/refs?service=git-upload-pack",
    "/",
    "/favicon.ico",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_url_reaches_outside_gitops_or_an_unknown_path(server, project, outside, path):
    (project / ".gitops" / "link.git").symlink_to(project / "outside.git")
    status, _, body = _request(server, path.format(project=str(project).lstrip("/")))
    assert status == 404, (path, status, body[:200])
    assert outside.encode() not in body and b"root:" not in body
    # and POSTs to a service behind such a path do not run either
    if "info/refs" in path:
        service = path.split("/info/refs")[0] + "/git-upload-pack"
        headers = {"Content-Type": "application/x-git-upload-pack-request"}
        assert _request(server, service.format(project=str(project).lstrip("/")), "POST", headers)[0] == 404


def test_the_symlinked_repo_is_not_listed_and_the_git_cli_cannot_clone_it(server, project, outside, tmp_path):
    (project / ".gitops" / "link.git").symlink_to(project / "outside.git")
    assert "link.git" not in server.repositories()
    proc = subprocess.run(
        ["git", "clone", server.url("link.git"), str(tmp_path / "c")], env=HUMAN_GIT_ENV, capture_output=True
    )
    assert proc.returncode != 0 and b"not found" in proc.stderr.lower()


def test_request_logs_name_the_path_never_the_credentials(server, heads, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="platform_kit.serve")
    checkout = _commit_in_clone(server, tmp_path, "logged.txt")
    git("-c", f"http.extraHeader=Authorization: {_basic('git', TOKEN)}", "push", "-q", "origin", "main", cwd=checkout)
    # the server logs a request after its last byte is sent, so the push may return first: wait for the line
    logged = "POST /platform-config.git/git-receive-pack 200"
    for _ in range(200):
        if logged in caplog.text:
            break
        time.sleep(0.05)
    text = caplog.text
    assert "GET /platform-config.git/info/refs 200" in text
    assert logged in text
    assert TOKEN not in text and base64.b64encode(f"git:{TOKEN}".encode()).decode() not in text


# --- the CLI as a real process ------------------------------------------------------------------


def _start_cli(project: Path, *args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "platform_kit.cli", "serve", "--project", str(project), "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})},
    )
    line = proc.stdout.readline()
    match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
    if not match:
        proc.kill()
        raise AssertionError(f"no serving line: {line!r} {proc.communicate()}")
    return proc, match.group(1)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_cli_serves_until_interrupted_and_exits_cleanly(project, heads, tmp_path, signum, code):
    proc, base = _start_cli(project, "--token-env", "PK_SERVE_TOKEN", env={"PK_SERVE_TOKEN": TOKEN})
    try:
        listed = [proc.stdout.readline().strip(), proc.stdout.readline().strip()]
        assert listed == [f"{base}platform-config-argocd.git", f"{base}platform-config.git"]
        assert f"{heads['platform-config.git']}\trefs/heads/main" in git("ls-remote", f"{base}platform-config.git")
        git("clone", "-q", f"{base}platform-config-argocd.git", str(tmp_path / "argocd"))
        assert (tmp_path / "argocd" / "projects" / "platform.yaml").is_file()
        started = time.monotonic()
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=10)
        assert time.monotonic() - started < 3
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code
    assert "Traceback" not in stderr
    assert "GET /platform-config.git/info/refs 200" in stderr and TOKEN not in stderr


def test_cli_refuses_an_unset_token_variable(project):
    env = {k: v for k, v in os.environ.items() if k != "PK_SERVE_UNSET"}
    proc = subprocess.run(
        [sys.executable, "-m", "platform_kit.cli", "serve", "--project", str(project), "--token-env", "PK_SERVE_UNSET"],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(REPO_ROOT)},
        timeout=60,
    )
    assert proc.returncode == 2
    assert "PK_SERVE_UNSET" in proc.stderr and "Traceback" not in proc.stderr
