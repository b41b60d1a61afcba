"""Delivery guardrails: the platform's infrastructure rules as pure functions (no Pulumi).

`rules` holds the rules and `check`; `offline` adapts the offline engine's recorded
registrations to them (`platform-kit render --check`); the pulumi-policy pack in
`policy/` adapts `pulumi preview`'s resources to the same functions.
"""
