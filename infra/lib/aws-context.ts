import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** Account, region and partition of the deployment, looked up once and passed to components. */
export interface AwsContext {
    accountId: pulumi.Output<string>;
    region: pulumi.Output<string>;
    partition: pulumi.Output<string>;
}

export function awsContext(opts?: pulumi.InvokeOutputOptions): AwsContext {
    return {
        accountId: aws.getCallerIdentityOutput({}, opts).accountId,
        region: aws.getRegionOutput({}, opts).region,
        partition: aws.getPartitionOutput({}, opts).partition,
    };
}
