"""platform_kit: Pulumi components that bootstrap a Kubernetes platform and hand it over to GitOps."""

__version__ = "0.1.0"
