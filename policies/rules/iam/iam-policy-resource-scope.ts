import * as aws from "@pulumi/aws";
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { attachedPolicyArns } from "./attachments";
import { list, type Statement, statementLabel, statementsOf } from "../common";

/**
 * Writes that have no resource-level permissions (no resource type in the IAM Service Authorization
 * Reference), so "*" is the only Resource they work with. Kept short on purpose: an action is added
 * only with its source.
 */
export const NO_RESOURCE_LEVEL_WRITES = [
    // Service Authorization Reference, CloudWatch: no resource types; narrowed by the cloudwatch:namespace condition key.
    "cloudwatch:PutMetricData",
    // Service Authorization Reference, X-Ray: no resource types (AWSXRayDaemonWriteAccess grants them on "*").
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
];

/**
 * The network interface actions Lambda performs with a function's execution role to attach it to a
 * VPC: the Lambda guide's execution-role permissions for VPC access, granted on "*" by AWS's
 * AWSLambdaVPCAccessExecutionRole (the interfaces Lambda creates are not known when the role is written).
 */
export const LAMBDA_VPC_WRITES = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"];

/** Read and list actions by their verb (IAM's access levels Read and List); whatever else an action does is treated as a write. */
const READ_VERB = /^[\w-]+:(Get|List|Describe|BatchGet|Query|Scan|Search|Lookup|View|Head|Select)/i;

/** AWS-managed policies that grant writes on "*" (beyond the *FullAccess ones iam-streaming-least-privilege refuses), with what they grant there. */
const MANAGED_WRITES_ON_STAR: Record<string, string> = {
    AWSLambdaBasicExecutionRole: "logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents",
    AWSLambdaKinesisExecutionRole: "logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents",
    AWSLambdaSQSQueueExecutionRole: "sqs:DeleteMessage, logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents",
    AWSLambdaDynamoDBExecutionRole: "logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents",
};

const isOneOf = (action: string, actions: string[]) => actions.some((a) => a.toLowerCase() === action.toLowerCase());

/** What an Allow statement grants on every resource beyond what "*" is needed for, as findings. */
export function unscopedGrants(s: Statement): string[] {
    if (s.Effect !== "Allow") return [];
    const resources = list(s.Resource).map(String);
    const everywhere = resources.includes("*") || s.NotResource !== undefined;
    const where = s.NotResource !== undefined ? "NotResource (every resource it does not name)" : 'Resource "*"';
    // Wildcard actions and Kinesis/KMS actions are iam-streaming-least-privilege's.
    const actions = list(s.Action)
        .map(String)
        .filter((a) => !a.includes("*") && !/^(kinesis|kms):/i.test(a));
    const findings: string[] = [];
    const passRoleAnywhere = resources.some((r) => r === "*" || /^arn:aws[a-z-]*:iam::[^:]*:role\/\*$/.test(r)) || s.NotResource !== undefined;
    if (actions.some((a) => a.toLowerCase() === "iam:passrole") && passRoleAnywhere) {
        findings.push(`allows iam:PassRole on any role: whoever holds it can hand any role (an administrator's included) to a service; name the role ARNs it passes`);
    }
    if (everywhere) {
        const writes = actions.filter((a) => a.toLowerCase() !== "iam:passrole" && !READ_VERB.test(a) && !isOneOf(a, [...NO_RESOURCE_LEVEL_WRITES, ...LAMBDA_VPC_WRITES]));
        if (writes.length > 0) findings.push(`allows ${writes.join(", ")} on ${where}; scope ${writes.length === 1 ? "it" : "them"} to the ARNs the role uses`);
    }
    return findings;
}

/** The policy documents of a resource the rule reads: a RolePolicy's or Policy's `policy`, a Role's `inlinePolicies`. */
function documentsOf(args: ResourceValidationArgs): { label: string; policy: unknown }[] {
    const props = args.props as { policy?: unknown; inlinePolicies?: { name?: string; policy?: unknown }[] };
    if (args.isType(aws.iam.RolePolicy) || args.isType(aws.iam.Policy)) return [{ label: "", policy: props.policy }];
    if (args.isType(aws.iam.Role)) return list(props.inlinePolicies).map((p) => ({ label: `inline policy ${p.name ?? "(unnamed)"}: `, policy: p.policy }));
    return [];
}

export const iamPolicyResourceScope: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "iam-policy-resource-scope",
        description:
            'IAM policies must not allow iam:PassRole on any role, nor write or permissions-management actions of any service on Resource "*" (or through NotResource), ' +
            "except the actions that have no resource-level permissions (cloudwatch:PutMetricData, xray:PutTraceSegments, xray:PutTelemetryRecords) and the " +
            'network-interface actions Lambda performs for VPC access; roles must not attach the AWS-managed Lambda execution policies that write logs on "*". ' +
            "Controls: Checkov CKV_AWS_355, CKV_AWS_286, CKV_AWS_287, CKV_AWS_288, CKV_AWS_289, CKV_AWS_290, cdk-nag AwsSolutions-IAM5, Serverless-LambdaStarPermissions.",
        enforcementLevel: "mandatory",
        validateResource: [
            (args, report) => {
                for (const doc of documentsOf(args)) {
                    statementsOf(doc.policy)?.forEach((s, i) => {
                        for (const finding of unscopedGrants(s)) report(`${doc.label}statement ${statementLabel(s, i)} ${finding}.`);
                    });
                }
            },
            (args, report) => {
                for (const arn of attachedPolicyArns(args)) {
                    const name = typeof arn === "string" && /^arn:aws[a-z-]*:iam::aws:policy\//.test(arn) ? arn.slice(arn.lastIndexOf("/") + 1) : undefined;
                    const grants = name ? MANAGED_WRITES_ON_STAR[name] : undefined;
                    if (grants)
                        report(`attaches the AWS-managed policy ${name}, which allows ${grants} on Resource "*"; write a role policy scoped to the function's own log group.`);
                }
            },
        ],
    },
    severity: "high",
    topics: ["permissions"],
    controls: [
        { framework: "Checkov", id: "CKV_AWS_355", coverage: "partial", note: 'reads and lists on "*" pass (this reports writes, permissions management and iam:PassRole)' },
        {
            framework: "Checkov",
            id: "CKV_AWS_286",
            coverage: "partial",
            note: 'iam:PassRole on any role and IAM writes on "*"; escalation through a scoped resource (iam:CreatePolicyVersion on a named policy) passes',
        },
        {
            framework: "Checkov",
            id: "CKV_AWS_287",
            coverage: "partial",
            note: 'credential-creating writes on "*" (iam:CreateAccessKey, sts:...); credential reads (secretsmanager:GetSecretValue on "*") pass',
        },
        {
            framework: "Checkov",
            id: "CKV_AWS_288",
            coverage: "none",
            note: 'data reads on "*" (s3:GetObject, ssm:GetParameter) pass; Kinesis and KMS reads on "*" are iam-streaming-least-privilege\'s',
        },
        { framework: "Checkov", id: "CKV_AWS_289", coverage: "partial", note: 'Kinesis and KMS permissions management on "*" is iam-streaming-least-privilege\'s; with it, full' },
        { framework: "Checkov", id: "CKV_AWS_290", coverage: "partial", note: 'Kinesis and KMS writes on "*" are iam-streaming-least-privilege\'s; with it, full' },
        {
            framework: "cdk-nag",
            id: "AwsSolutions-IAM5",
            coverage: "partial",
            note: 'reads on "*" and wildcard ARNs other than "*" pass (wildcard actions are iam-streaming-least-privilege\'s)',
        },
        {
            framework: "cdk-nag",
            id: "Serverless-LambdaStarPermissions",
            coverage: "partial",
            note: 'writes on "*" in any role; wildcard actions are iam-streaming-least-privilege\'s',
        },
    ],
    details:
        'No `Allow` statement of an `aws.iam.RolePolicy`, `aws.iam.Policy` or a role\'s `inlinePolicies` grants `iam:PassRole` on `"*"` (or ' +
        '`arn:aws:iam::*:role/*`, or through `NotResource`), or a write or permissions-management action of any service on `Resource: "*"` ' +
        "(an action counts as a read only by its verb: `Get`, `List`, `Describe`, `BatchGet`, `Query`, `Scan`, `Search`, `Lookup`, `View`, `Head`, " +
        "`Select`; everything else, tagging included, is treated as a write). The exceptions are the writes that have no resource-level " +
        'permissions in the IAM Service Authorization Reference and so work only on `"*"` (`cloudwatch:PutMetricData`, narrowed by ' +
        "`cloudwatch:namespace` in the KCL role; `xray:PutTraceSegments`, `xray:PutTelemetryRecords`) and the four network-interface actions Lambda " +
        "performs with a VPC function's execution role (`ec2:CreateNetworkInterface`, `DeleteNetworkInterface`, `AssignPrivateIpAddresses`, " +
        "`UnassignPrivateIpAddresses`, as AWS's `AWSLambdaVPCAccessExecutionRole` grants them). Roles attach none of the AWS-managed Lambda " +
        'execution policies that write logs on `"*"` (`AWSLambdaBasicExecutionRole`, `AWSLambdaKinesisExecutionRole`, ' +
        "`AWSLambdaSQSQueueExecutionRole`, `AWSLambdaDynamoDBExecutionRole`). Kinesis and KMS actions and wildcard actions are " +
        "`iam-streaming-least-privilege`'s.",
    remediation:
        "Name the ARNs each write applies to (the function's own log group, the queue, the table); pass only the named roles a service needs; replace the AWS-managed execution policies with a role policy on the function's log group.",
};
