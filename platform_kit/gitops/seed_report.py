"""Deprecated: moved to `platform_kit.delivery.seed_report`; this forwarding module goes in the next release."""

from platform_kit._moved import forward

forward(__name__, "platform_kit.delivery.seed_report")
