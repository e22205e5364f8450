import type * as pulumi from "@pulumi/pulumi";

/**
 * IAM policy documents as typed values: built here, serialized with `pulumi.jsonStringify`
 * (which resolves the nested Outputs, such as ARNs, inside them).
 */
type Strings = pulumi.Input<string> | pulumi.Input<string>[];
export type Principal = "*" | { AWS: Strings } | { Service: Strings };

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Principal?: Principal;
    Action: string | string[];
    /** Absent only in trust policies, where the role itself is the resource. */
    Resource?: Strings;
    Condition?: Condition;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

export function policyDocument(...statements: PolicyStatement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

/** The statement AWS recommends on every resource policy: refuse any request not sent over TLS. */
export function denyInsecureTransport(actions: string | string[], resources: Strings): PolicyStatement {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: actions,
        Resource: resources,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/** A condition block of a policy statement. */
export type Condition = Record<string, Record<string, Strings>>;

/**
 * The trust policy of a role a service assumes, with the condition that service's guide documents
 * against the confused deputy (Lambda documents none; Firehose `sts:ExternalId` = account id;
 * CloudWatch Logs `aws:SourceArn` on the account's log groups; IoT, Scheduler and Flink `aws:SourceAccount`).
 */
export function assumedBy(service: pulumi.Input<string>, condition?: Condition): PolicyDocument {
    return policyDocument({
        Sid: "AssumedByService",
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(condition ? { Condition: condition } : {}),
    });
}

/** `aws:SourceAccount` = the account: the services whose guides document it (IoT, Scheduler, Flink). */
export const fromAccount = (accountId: pulumi.Input<string>): Condition => ({ StringEquals: { "aws:SourceAccount": accountId } });

/**
 * Writing to the stream: PutRecord(s) on this stream only, ListShards so a producer can aggregate
 * per shard (KPL and our client), and GenerateDataKey on the stream's key (SSE-KMS writes need it).
 * AWS services that send one record at a time (IoT rules, Logs subscriptions) get PutRecord alone.
 */
export function streamWriteStatements(
    streamArn: pulumi.Input<string>,
    keyArn: pulumi.Input<string>,
    actions: string[] = ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:ListShards"],
): PolicyStatement[] {
    return [
        { Sid: "WriteToStream", Effect: "Allow", Action: actions, Resource: streamArn },
        { Sid: "EncryptWithStreamKey", Effect: "Allow", Action: "kms:GenerateDataKey", Resource: keyArn },
    ];
}
