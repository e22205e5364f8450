import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { lambdaArchive } from "../lib/bundle";
import { assumedBy, policyDocument, type PolicyStatement } from "../lib/iam";
import { SCHEMA } from "../settings/schema";
import { type ArgsOverrides, mergeArgs } from "../lib/merge-args";

export interface StreamingFunctionArgs {
    /** Folder under functions/ whose index.ts exports `handler`. */
    entry: string;
    /** Physical function name (also names its log group `/aws/lambda/<name>`), at most 64 characters. */
    functionName: string;
    description: string;
    /** Exactly what this function may do besides writing its own logs. */
    statements: PolicyStatement[];
    environment?: Record<string, pulumi.Input<string>>;
    /** @default 256 */
    memorySize?: number;
    /** Seconds. @default 30 */
    timeout?: number;
    /** Reserved concurrency; undefined leaves the account pool. */
    reservedConcurrency?: number;
    /** Days to keep logs. @default 30 */
    logRetentionDays?: number;
    /** Customer key for the log group. */
    kmsKeyArn: pulumi.Input<string>;
    vpcConfig?: { subnetIds: pulumi.Input<string>[]; securityGroupIds: pulumi.Input<string>[] };
    /**
     * Any other `aws.lambda.Function` argument, over the settings above (README, "Overriding resource
     * arguments"). Forced: `role` (this function's least-privilege role) and `loggingConfig.logGroup`
     * (its encrypted log group with a retention). @default {}
     */
    functionArgs?: ArgsOverrides<aws.lambda.FunctionArgs>;
    tags: Record<string, string>;
}

export const FUNCTION_DEFAULTS = {
    runtime: "nodejs22.x",
    architecture: "arm64",
    memorySize: 256,
    timeout: 30,
    logRetentionDays: SCHEMA.logRetentionDays.default,
};

/**
 * One Lambda function the way every function of the pipeline is deployed: the esbuild bundle of
 * functions/<entry>, nodejs22.x on arm64, its own log group (retention, customer key) created
 * before the function so Lambda never creates an unencrypted, never-expiring one, and a role
 * with exactly the statements given plus writing to that log group.
 */
export class StreamingFunction extends pulumi.ComponentResource {
    public readonly function: aws.lambda.Function;
    public readonly role: aws.iam.Role;
    public readonly logGroup: aws.cloudwatch.LogGroup;

    constructor(name: string, args: StreamingFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("streaming:lambda:Function", name, {}, opts);
        const functionName = args.functionName;
        this.logGroup = new aws.cloudwatch.LogGroup(
            name,
            {
                name: `/aws/lambda/${functionName}`,
                retentionInDays: args.logRetentionDays ?? FUNCTION_DEFAULTS.logRetentionDays,
                kmsKeyId: args.kmsKeyArn,
                tags: args.tags,
            },
            { parent: this },
        );
        this.role = new aws.iam.Role(name, { assumeRolePolicy: pulumi.jsonStringify(assumedBy("lambda.amazonaws.com")), tags: args.tags }, { parent: this });
        const logging: PolicyStatement = {
            Sid: "WriteOwnLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: pulumi.interpolate`${this.logGroup.arn}:*`,
        };
        const vpcAccess: PolicyStatement[] = args.vpcConfig
            ? [
                  {
                      // What AWSLambdaVPCAccessExecutionRole grants (none of these has resource-level permissions).
                      Sid: "ManageVpcNetworkInterfaces",
                      Effect: "Allow",
                      Action: [
                          "ec2:CreateNetworkInterface",
                          "ec2:DescribeNetworkInterfaces",
                          "ec2:DescribeSubnets",
                          "ec2:DeleteNetworkInterface",
                          "ec2:AssignPrivateIpAddresses",
                          "ec2:UnassignPrivateIpAddresses",
                      ],
                      Resource: "*",
                  },
              ]
            : [];
        const policy = new aws.iam.RolePolicy(
            name,
            { role: this.role.id, policy: pulumi.jsonStringify(policyDocument(logging, ...vpcAccess, ...args.statements)) },
            { parent: this },
        );
        this.function = new aws.lambda.Function(
            name,
            mergeArgs<aws.lambda.FunctionArgs>(
                {
                    name: functionName,
                    description: args.description,
                    code: lambdaArchive(args.entry),
                    handler: "index.handler",
                    runtime: FUNCTION_DEFAULTS.runtime,
                    architectures: [FUNCTION_DEFAULTS.architecture],
                    memorySize: args.memorySize ?? FUNCTION_DEFAULTS.memorySize,
                    timeout: args.timeout ?? FUNCTION_DEFAULTS.timeout,
                    reservedConcurrentExecutions: args.reservedConcurrency,
                    role: this.role.arn,
                    environment: { variables: { NODE_OPTIONS: "--enable-source-maps", ...args.environment } },
                    loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
                    vpcConfig: args.vpcConfig,
                    tags: args.tags,
                },
                args.functionArgs,
                ["role", "loggingConfig.logGroup"],
                { component: "StreamingFunction", arg: "functionArgs", resource: this },
            ),
            { parent: this, dependsOn: [this.logGroup, policy] },
        );
        this.registerOutputs({ functionArn: this.function.arn, roleArn: this.role.arn });
    }
}
