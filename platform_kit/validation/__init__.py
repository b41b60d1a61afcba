"""Offline validation of Kubernetes manifests and rendered config repos (the `validate` extra).

`platform_kit.validation.manifests` builds every kustomization (`kubectl kustomize`) and checks
every object: built-in kinds strictly against `kubernetes-validate`'s schemas, custom resources
against the CRD JSON Schemas bundled in `schemas/crds`. `platform-kit validate-repo` (the seeded CI's
quality gate) and the tests use it; `platform_kit.testing.manifests` re-exports it.

Nothing is imported here, so this package loads without the `validate` extra.
"""
