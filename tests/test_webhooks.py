"""Webhook-driven reconciliation: the generated secret, the Flux Receiver, Argo CD's webhook keys, outputs."""

from __future__ import annotations

import pulumi_random as random

from platform_kit.engine import RANDOM_PASSWORD_TYPE, SECRET_MARKER, fake_password


def test_mock_random_password_has_a_deterministic_secret_result(pulumi_recorder):
    password = random.RandomPassword("hook", length=40, special=False)
    value, secret = pulumi_recorder.resolve(password.result)
    assert secret
    assert value == fake_password("hook", 40)
    assert len(value) == 40 and value.isalnum()
    assert fake_password("other", 40) != value
    registration = pulumi_recorder.get(RANDOM_PASSWORD_TYPE, "hook")
    assert registration.masked_inputs == {"length": 40, "special": False}
    assert SECRET_MARKER not in repr(registration.masked_inputs)


def test_mock_random_password_honours_its_length(pulumi_recorder):
    value, secret = pulumi_recorder.resolve(random.RandomPassword("short", length=12).result)
    assert secret and value == fake_password("short", 12) and len(value) == 12
