"""Entry point of the policy pack: `pulumi preview --policy-pack policy/` runs this file."""

import sys
from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the adapter module next to this file

from guardrails_pack import PACK_NAME, policies  # noqa: E402

PolicyPack(name=PACK_NAME, enforcement_level=EnforcementLevel.MANDATORY, policies=policies())
