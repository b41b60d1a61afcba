"""Cloud side of the platform services (the in-cluster side is seeded into the config repo).

Importing a service module imports pulumi_aws; Platform imports them only when a
service that needs AWS is enabled.
"""
