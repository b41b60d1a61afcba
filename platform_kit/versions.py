"""Pinned default versions of everything platform_kit installs; each is overridable per stack."""

FLUX_OPERATOR_CHART = "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator"
"""OCI address of the Flux Operator Helm chart."""

FLUX_OPERATOR_CHART_VERSION = "0.58.0"
"""Flux Operator chart version Pulumi installs on day one (Flux upgrades it afterwards)."""

FLUX_DISTRIBUTION_VERSION = "2.7.x"
"""Flux distribution version (semver range) the FluxInstance asks the operator for."""

FLUX_REGISTRY = "ghcr.io/fluxcd"
"""Container registry of the Flux controller images."""

FLUX_MANIFESTS_ARTIFACT = "oci://ghcr.io/controlplaneio-fluxcd/flux-operator-manifests"
"""OCI artifact with the Flux distribution manifests the operator applies."""

EKS_KUBERNETES_VERSION = "1.33"
"""Kubernetes minor version of new EKS clusters."""

EKS_NODE_AMI_TYPE = "AL2023_x86_64_STANDARD"
"""Default AMI type of managed node groups (Amazon Linux 2023)."""

ARGOCD_CHART_REPOSITORY = "https://argoproj.github.io/argo-helm"
"""Helm repository of the Argo CD chart."""

ARGOCD_CHART = "argo-cd"
"""Name of the Argo CD chart in that repository."""

ARGOCD_CHART_VERSION = "8.0.0"
"""Argo CD chart version Pulumi installs on day one (Argo CD upgrades itself from Git afterwards)."""

EXTERNAL_SECRETS_CHART_VERSION = "0.19.2"
"""external-secrets chart (https://charts.external-secrets.io); serves the external-secrets.io/v1 API."""

KUBE_PROMETHEUS_STACK_CHART_VERSION = "77.6.2"
"""kube-prometheus-stack chart (https://prometheus-community.github.io/helm-charts)."""

KYVERNO_CHART_VERSION = "3.5.2"
"""kyverno chart (https://kyverno.github.io/kyverno/); Kyverno 1.15, rule-level failureAction."""

KARPENTER_CHART_REPOSITORY = "oci://public.ecr.aws/karpenter"
"""OCI repository of the Karpenter chart (the project publishes no HTTPS Helm repository any more)."""

KARPENTER_CHART_VERSION = "1.8.0"
"""karpenter chart (controller and its CRDs: NodePool, NodeClaim, EC2NodeClass, karpenter.sh/v1)."""

AWS_LOAD_BALANCER_CONTROLLER_CHART_VERSION = "1.16.0"
"""aws-load-balancer-controller chart (https://aws.github.io/eks-charts), controller v2.16.0."""

EXTERNAL_DNS_CHART_VERSION = "1.20.0"
"""external-dns chart (https://kubernetes-sigs.github.io/external-dns/), external-dns v0.20.0."""

CERT_MANAGER_CHART_VERSION = "v1.19.1"
"""cert-manager chart (https://charts.jetstack.io); its versions carry the `v`."""

METRICS_SERVER_CHART_VERSION = "3.13.0"
"""metrics-server chart (https://kubernetes-sigs.github.io/metrics-server/), metrics-server v0.8.0."""
