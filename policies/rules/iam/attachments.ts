import * as aws from "@pulumi/aws";
import type { ResourceValidationArgs } from "@pulumi/policy";
import { list } from "../common";

/** The managed policy ARNs a resource attaches to a role: a RolePolicyAttachment's one, or a Role's managedPolicyArns. */
export function attachedPolicyArns(args: ResourceValidationArgs): unknown[] {
    if (args.isType(aws.iam.RolePolicyAttachment)) return [(args.props as { policyArn?: unknown }).policyArn];
    if (args.isType(aws.iam.Role)) return list((args.props as { managedPolicyArns?: unknown[] }).managedPolicyArns);
    return [];
}
