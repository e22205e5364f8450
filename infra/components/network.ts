import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../lib/iam";
import { type ArgsOverrides, mergeArgs } from "../lib/merge-args";

export interface NetworkArgs {
    vpcId: string;
    subnetIds: string[];
    region: pulumi.Input<string>;
    accountId: pulumi.Input<string>;
    /**
     * Any other `aws.ec2.VpcEndpoint` argument of the Kinesis endpoint (README, "Overriding resource
     * arguments"). Forced: an `Interface` endpoint to Kinesis Data Streams in this VPC, its security group
     * (HTTPS from the VPC only) and its policy (this account's principals only). @default {}
     */
    endpointArgs?: ArgsOverrides<aws.ec2.VpcEndpointArgs>;
    tags: Record<string, string>;
}

/**
 * A Kinesis Data Streams interface endpoint with private DNS, so producers and consumers in the
 * VPC reach the stream without a NAT gateway: HTTPS from the VPC's CIDR only, and an endpoint
 * policy that admits this account's principals only. Lambdas placed in the VPC get their own
 * security group (egress only).
 */
export class Network extends pulumi.ComponentResource {
    public readonly endpoint: aws.ec2.VpcEndpoint;
    public readonly lambdaSecurityGroup: aws.ec2.SecurityGroup;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("streaming:network:Network", name, {}, opts);
        const vpc = aws.ec2.getVpcOutput({ id: args.vpcId }, { parent: this });
        const endpointGroup = new aws.ec2.SecurityGroup(
            `${name}-endpoint`,
            {
                vpcId: args.vpcId,
                description: "HTTPS to the Kinesis endpoint from inside the VPC",
                ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [vpc.cidrBlock], description: "HTTPS from the VPC" }],
                tags: args.tags,
            },
            { parent: this },
        );
        this.lambdaSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-lambda`,
            {
                vpcId: args.vpcId,
                description: "Pipeline Lambdas: no inbound, HTTPS out",
                egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "HTTPS to AWS APIs" }],
                tags: args.tags,
            },
            { parent: this },
        );
        this.endpoint = new aws.ec2.VpcEndpoint(
            name,
            mergeArgs<aws.ec2.VpcEndpointArgs>(
                {
                    vpcId: args.vpcId,
                    serviceName: pulumi.interpolate`com.amazonaws.${args.region}.kinesis-streams`,
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: args.subnetIds,
                    securityGroupIds: [endpointGroup.id],
                    policy: pulumi.jsonStringify(
                        policyDocument({
                            Sid: "ThisAccountOnly",
                            Effect: "Allow",
                            Principal: "*",
                            Action: "kinesis:*",
                            Resource: "*",
                            Condition: { StringEquals: { "aws:PrincipalAccount": args.accountId } },
                        }),
                    ),
                    tags: args.tags,
                },
                args.endpointArgs,
                ["vpcId", "serviceName", "vpcEndpointType", "securityGroupIds", "policy"],
                { component: "Network", arg: "endpointArgs", resource: this },
            ),
            { parent: this },
        );
        this.registerOutputs({ endpointId: this.endpoint.id });
    }
}
