"""AWS building blocks shared by the EKS cluster and the cloud side of platform services.

Importing this package imports pulumi_aws; only AWS stacks do (platform.build_cluster
imports it lazily), so an existing-cluster stack never pays for it.
"""
