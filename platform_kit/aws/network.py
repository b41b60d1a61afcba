"""Vpc: a new VPC across 2 or 3 zones with public/private subnets and NAT gateways."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from platform_kit.aws.network_plan import plan_subnets
from platform_kit.config.eks import NewVpc
from platform_kit.naming import type_token

PUBLIC_LB_TAG = {"kubernetes.io/role/elb": "1"}
"""Lets the AWS Load Balancer Controller place internet-facing load balancers here."""
INTERNAL_LB_TAG = {"kubernetes.io/role/internal-elb": "1"}
"""Lets the AWS Load Balancer Controller place internal load balancers here."""


@dataclass(frozen=True)
class VpcArgs:
    """Inputs of Vpc."""

    config: NewVpc
    """CIDR, zones and NAT layout."""
    cluster_name: str
    """Cluster that uses the VPC (names and discovery tags)."""


class Vpc(pulumi.ComponentResource):
    """Public subnets (load balancers, NAT) and private subnets (control plane ENIs, nodes) per zone."""

    vpc_id: pulumi.Output[str]
    private_subnet_ids: list[pulumi.Output[str]]
    public_subnet_ids: list[pulumi.Output[str]]

    def __init__(self, name: str, args: VpcArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("aws", "Vpc"), name, None, opts)
        config, cluster = args.config, args.cluster_name
        child = pulumi.ResourceOptions(parent=self)
        zones = self._zones(config)
        cluster_tag = {f"kubernetes.io/cluster/{cluster}": "shared"}

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=config.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": cluster},
            opts=child,
        )
        # The default security group of a new VPC allows all traffic between its members: empty it.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg", vpc_id=vpc.id, tags={"Name": f"{cluster}-default"}, opts=child
        )
        gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags={"Name": cluster}, opts=child)
        public_routes = aws.ec2.RouteTable(
            f"{name}-public-rt",
            vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
            tags={"Name": f"{cluster}-public"},
            opts=child,
        )

        public, private, nats = [], [], []
        for index, (subnets, zone) in enumerate(zip(plan_subnets(config.cidr, config.zone_count), zones, strict=True)):
            public.append(
                aws.ec2.Subnet(
                    f"{name}-public-{index}",
                    vpc_id=vpc.id,
                    cidr_block=subnets.public,
                    availability_zone=zone,
                    map_public_ip_on_launch=False,
                    tags={"Name": f"{cluster}-public-{index}"} | PUBLIC_LB_TAG | cluster_tag,
                    opts=child,
                )
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{index}", subnet_id=public[index].id, route_table_id=public_routes.id, opts=child
            )
            private.append(
                aws.ec2.Subnet(
                    f"{name}-private-{index}",
                    vpc_id=vpc.id,
                    cidr_block=subnets.private,
                    availability_zone=zone,
                    tags={"Name": f"{cluster}-private-{index}"} | INTERNAL_LB_TAG | cluster_tag,
                    opts=child,
                )
            )
            if config.nat_gateways == "per-zone" or index == 0:
                address = aws.ec2.Eip(
                    f"{name}-nat-{index}", domain="vpc", tags={"Name": f"{cluster}-nat-{index}"}, opts=child
                )
                nats.append(
                    aws.ec2.NatGateway(
                        f"{name}-nat-{index}",
                        subnet_id=public[index].id,
                        allocation_id=address.id,
                        tags={"Name": f"{cluster}-nat-{index}"},
                        opts=pulumi.ResourceOptions(parent=self, depends_on=[gateway]),
                    )
                )
            private_routes = aws.ec2.RouteTable(
                f"{name}-private-rt-{index}",
                vpc_id=vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nats[-1].id}],
                tags={"Name": f"{cluster}-private-{index}"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{index}", subnet_id=private[index].id, route_table_id=private_routes.id, opts=child
            )

        self.vpc_id = vpc.id
        self.private_subnet_ids = [s.id for s in private]
        self.public_subnet_ids = [s.id for s in public]
        self.register_outputs({"vpcId": vpc.id, "privateSubnetIds": self.private_subnet_ids})

    def _zones(self, config: NewVpc) -> list[pulumi.Input[str]]:
        """Configured zone names, or the region's first available ones (count fixed by config)."""
        if config.zones:
            return list(config.zones)
        available = aws.get_availability_zones_output(
            state="available",
            filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        return [available.names.apply(lambda names, i=i: names[i]) for i in range(config.zone_count)]
