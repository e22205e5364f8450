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
    Condition?: Record<string, Record<string, Strings>>;
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

/** The trust policy of a role a service assumes (Lambda, Firehose, IoT, CloudWatch Logs...). */
export function assumedBy(service: pulumi.Input<string>, sourceAccount?: pulumi.Input<string>): PolicyDocument {
    return policyDocument({
        Sid: "AssumedByService",
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(sourceAccount ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } } : {}),
    });
}

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
