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
    const extra: Record<string, unknown> = { arn, name: physical };
    if (type === "aws:kms/key:Key") Object.assign(extra, { keyId: `${name}-key-id`, arn: `arn:aws:kms:${region}:${ACCOUNT_ID}:key/00000000-0000-0000-0000-000000000000` });
    if (type === "aws:sns/topic:Topic") extra.arn = `arn:aws:sns:${region}:${ACCOUNT_ID}:${physical}`;
    if (type === "aws:kinesis/stream:Stream") extra.arn = `arn:aws:kinesis:${region}:${ACCOUNT_ID}:stream/${physical}`;
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
        default:
            throw new Error(`The offline preview has no mock for the data source ${token}`);
    }
}
