"""Pure subnet planning for a new VPC (no Pulumi)."""

from __future__ import annotations

import ipaddress
from typing import NamedTuple


class ZoneSubnets(NamedTuple):
    """The two subnets of one availability zone."""

    private: str
    public: str


def plan_subnets(vpc_cidr: str, zone_count: int) -> list[ZoneSubnets]:
    """Split the VPC: three quarters for private subnets (pods take VPC IPs), the last for public ones.

    A /16 gives each zone a /18 private and a /20 public subnet.
    """
    vpc = ipaddress.ip_network(vpc_cidr)
    quarters = list(vpc.subnets(prefixlen_diff=2))
    publics = list(quarters[3].subnets(prefixlen_diff=2))
    return [ZoneSubnets(str(quarters[i]), str(publics[i])) for i in range(zone_count)]
