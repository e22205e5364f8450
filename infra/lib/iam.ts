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
    Resource: Strings;
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
