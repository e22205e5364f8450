import { ACCOUNT_ID } from "./synth-constants";

/**
 * What the mock runtime returns for a new resource: its inputs plus the attributes AWS computes
 * (ARN, id, name), shaped like the real ones so that ARNs built from them look right in a preview.
 */
export function mockResourceState(type: string, name: string, inputs: Record<string, unknown>, region: string): Record<string, unknown> {
    const [, mod = "", res = ""] = type.split(":");
    const service = mod.split("/")[0] ?? mod;
    const physical = (inputs.name as string | undefined) ?? `${name}-mock`;
    const arn = `arn:aws:${service}:${region}:${ACCOUNT_ID}:${res.charAt(0).toLowerCase()}${res.slice(1)}/${physical}`;
    const extra: Record<string, unknown> = { arn, name: physical, ...computed(type, name, physical, region, inputs) };
    return { ...inputs, ...extra };
}

/** Answers the data-source invokes the program makes (account, region, partition). */
export function mockCall(token: string, region: string): Record<string, unknown> {
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/offline`, userId: "offline", id: ACCOUNT_ID };
        case "aws:index/getRegion:getRegion":
            return { region, name: region, id: region, endpoint: `${region}.amazonaws.com`, description: region };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
        case "aws:ec2/getVpc:getVpc":
            // A placeholder CIDR: the offline preview cannot look the VPC up.
            return { id: "vpc-mock", cidrBlock: "10.0.0.0/16", arn: `arn:aws:ec2:${region}:${ACCOUNT_ID}:vpc/vpc-mock` };
        default:
            throw new Error(`The offline preview has no mock for the data source ${token}`);
    }
}

/** Attributes AWS computes for the resource types whose values the program passes on. */
function computed(type: string, name: string, physical: string, region: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const acct = ACCOUNT_ID;
    switch (type) {
        case "aws:kms/key:Key":
            return { keyId: `${name}-key-id`, arn: `arn:aws:kms:${region}:${acct}:key/00000000-0000-0000-0000-000000000000` };
        case "aws:sns/topic:Topic":
            return { arn: `arn:aws:sns:${region}:${acct}:${physical}` };
        case "aws:sqs/queue:Queue":
            return { arn: `arn:aws:sqs:${region}:${acct}:${physical}`, url: `https://sqs.${region}.amazonaws.com/${acct}/${physical}` };
        case "aws:kinesis/stream:Stream":
            return { arn: `arn:aws:kinesis:${region}:${acct}:stream/${physical}` };
        case "aws:s3/bucket:Bucket": {
            // AWS appends a unique suffix to bucketPrefix.
            const bucket = (inputs.bucket as string | undefined) ?? `${(inputs.bucketPrefix as string | undefined) ?? `${name}-`}mock`;
            return { bucket, arn: `arn:aws:s3:::${bucket}` };
        }
        case "aws:dynamodb/table:Table":
            return { arn: `arn:aws:dynamodb:${region}:${acct}:table/${physical}` };
        case "aws:kinesis/streamConsumer:StreamConsumer":
            return { arn: `arn:aws:kinesis:${region}:${acct}:stream/mock/consumer/${physical}:1700000000` };
        case "aws:iam/role:Role":
            return { arn: `arn:aws:iam::${acct}:role/${physical}` };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { arn: `arn:aws:logs:${region}:${acct}:log-group:${physical}` };
        case "aws:lambda/function:Function": {
            const arn = `arn:aws:lambda:${region}:${acct}:function:${physical}`;
            return { arn, invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations` };
        }
        case "aws:apigatewayv2/api:Api":
            return { apiEndpoint: `https://${name}-api-id.execute-api.${region}.amazonaws.com`, executionArn: `arn:aws:execute-api:${region}:${acct}:${name}-api-id` };
        case "aws:apigatewayv2/stage:Stage":
            return { invokeUrl: `https://${name}-api-id.execute-api.${region}.amazonaws.com/` };
        default:
            return {};
    }
}
