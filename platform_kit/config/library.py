"""Where generated artefacts install platform-kit from (`platform:library`).

The seeded config repo's CI workflow and the team template's `requirements.txt` install this
library. By default they pin the exact version that rendered them (`platform-kit==<version>`)
from pip's default index. An organisation that hosts the package elsewhere names it here:
a private index that *replaces* PyPI (`--index-url`, never `--extra-index-url`, which lets
whichever index has the higher version win: dependency confusion), or a direct reference
(`git+https://…@<tag>` or a wheel URL). Neither may carry credentials: the workflow and the
requirements file are committed to Git.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints, model_validator

from platform_kit._version import __version__
from platform_kit.config.base import HttpUrl, Model, check_remote_url

DISTRIBUTION = "platform-kit"
"""This library's distribution name on a package index."""

LIBRARY_URL_HINT = "the workflow and requirements.txt are committed: authenticate pip outside the URL (netrc, keyring)"
"""How to fix credentials in `library.indexUrl` or `library.url`."""

_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".zip")
_GIT_REF = re.compile(r"@[A-Za-z0-9._/-]+$")


def _https_only(url: str) -> str:
    if not url.startswith("https://"):
        raise ValueError("must be https:// (pip would fetch the library over plain HTTP)")
    return url


def _direct_url(url: str) -> str:
    if url.startswith("git+"):
        check_remote_url(url[len("git+") :], ("https", "ssh"), LIBRARY_URL_HINT)
        path = url.split("://", 1)[1].split("/", 1)[-1]
        if not _GIT_REF.search(path):
            raise ValueError("a git URL must pin a tag or commit: git+https://host/org/platform-kit@v0.1.0")
        return url
    check_remote_url(url, ("https",), LIBRARY_URL_HINT)
    if not url.endswith(_ARCHIVE_SUFFIXES):
        raise ValueError("must be `git+https://…@<tag>`, `git+ssh://…@<tag>` or an https URL of a wheel or sdist")
    return url


PipIndexUrl = Annotated[HttpUrl, AfterValidator(_https_only)]
"""A package index (`…/simple`): https, no credentials, query or fragment."""

DirectUrl = Annotated[str, AfterValidator(_direct_url)]
"""A PEP 508 direct reference: a git URL pinned to a ref, or an https URL of an archive; no credentials."""

ExactVersion = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?(\+[a-z0-9.]+)?$"),
]
"""An exact PEP 440 version (`0.1.0`, `1.2.0rc1`, `0.1.0+acme.1`)."""


class LibraryConfig(Model):
    """Where the seeded CI workflow and team stacks install platform-kit from (default: this exact version)."""

    version: ExactVersion = __version__
    """Exact platform-kit version to pin (default: the version rendering the seed)."""
    index_url: PipIndexUrl | None = None
    """Package index that replaces PyPI for the install (pip `--index-url`); no credentials in it."""
    url: DirectUrl | None = None
    """Install from this direct reference instead of an index (`git+https://host/org/platform-kit@v0.1.0`)."""

    @model_validator(mode="after")
    def _one_source(self) -> "LibraryConfig":
        if self.url is not None and ({"version", "index_url"} & self.model_fields_set):
            raise ValueError("`url` pins the library itself: set either `url` or `version`/`indexUrl`")
        return self

    def requirement(self, extras: tuple[str, ...] = ()) -> str:
        """The PEP 508 requirement: `platform-kit[extras]==<version>` or `platform-kit[extras] @ <url>`."""
        name = DISTRIBUTION + (f"[{','.join(extras)}]" if extras else "")
        return f"{name} @ {self.url}" if self.url else f"{name}=={self.version}"

    def pip_options(self) -> tuple[str, ...]:
        """Options pip needs besides the requirement (the private index, if any)."""
        return ("--index-url", self.index_url) if self.index_url else ()

    def pip_install(self, extras: tuple[str, ...] = ()) -> str:
        """A shell command installing the library: `pip install [--index-url URL] "<requirement>"`."""
        return " ".join(("pip install", *self.pip_options(), f'"{self.requirement(extras)}"'))

    def requirements_lines(self, extras: tuple[str, ...] = ()) -> list[str]:
        """The library's lines of a requirements.txt (an `--index-url` line first when an index is set)."""
        return [" ".join(self.pip_options())] * bool(self.index_url) + [self.requirement(extras)]
