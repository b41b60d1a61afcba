"""Pure builders of the platform services' in-cluster objects, shared by every agent's layout.

Each service yields agent-neutral pieces: the Helm chart to install (`HelmChart`) and
plain custom resources. The Flux layout wraps charts in HelmRepository + HelmRelease;
the Argo CD layout wraps them in Applications.
"""
