import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** A use of the stack's key by an AWS service that only the key policy can allow (IAM cannot). */
interface ServiceNeed {
    /** Service principals that satisfy it. */
    principals: string[];
    /** Actions the service calls; each must be allowed (wildcards in the policy count). */
    actions: string[];
    /** What breaks without it. */
    consequence: string;
}

/** What an adopted key's policy must allow (the statements `keyPolicy` writes into a key this stack creates). */
export function adoptedKeyNeeds(region: string): ServiceNeed[] {
    return [
        {
            principals: [`logs.${region}.amazonaws.com`, "logs.amazonaws.com"],
            actions: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:DescribeKey"],
            consequence: `CloudWatch Logs (logs.${region}.amazonaws.com) cannot use it, so the stack's encrypted log groups fail to create`,
        },
        {
            principals: ["cloudwatch.amazonaws.com"],
            actions: ["kms:Decrypt", "kms:GenerateDataKey"],
            consequence: "CloudWatch alarms (cloudwatch.amazonaws.com) cannot publish to the alerts topic encrypted with it, and every alarm notification is dropped silently",
        },
    ];
}

interface Statement {
    Effect?: string;
    Principal?: unknown;
    NotPrincipal?: unknown;
    Action?: string | string[];
    NotAction?: unknown;
}

const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : x === undefined ? [] : [String(x)]);
const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i");

function principalMatches(principal: unknown, services: string[]): boolean {
    if (principal === "*") return true;
    if (typeof principal !== "object" || principal === null) return false;
    const p = principal as { Service?: unknown; AWS?: unknown };
    return list(p.AWS).includes("*") || list(p.Service).some((s) => services.includes(s));
}

/**
 * What the key policy (JSON) fails to allow, one sentence per missing use; [] when everything is
 * allowed or the policy cannot be judged statically (NotPrincipal/NotAction). Conditions are not
 * evaluated: a statement for the service counts whatever its conditions.
 */
export function keyPolicyProblems(policyJson: string, region: string): string[] {
    const doc = JSON.parse(policyJson) as { Statement?: Statement | Statement[] };
    const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
    if (statements.some((s) => s.NotPrincipal !== undefined || s.NotAction !== undefined)) return [];
    const allows = statements.filter((s) => s.Effect === "Allow");
    return adoptedKeyNeeds(region).flatMap((need) => {
        const granted = allows.filter((s) => principalMatches(s.Principal, need.principals)).flatMap((s) => list(s.Action).map(glob));
        const missing = need.actions.filter((a) => !granted.some((g) => g.test(a)));
        return missing.length === 0 ? [] : [`${need.consequence} (missing ${missing.join(", ")} for ${need.principals[0]})`];
    });
}

/** Reads a key's policy; injectable so the check is testable without AWS. */
export type KeyPolicyReader = (keyArn: string) => Promise<string>;

const readWithProvider =
    (opts: pulumi.InvokeOptions): KeyPolicyReader =>
    async (keyArn) =>
        (await aws.kms.getKeyPolicy({ keyId: keyArn, policyName: "default" }, opts)).policy;

/**
 * Preflight of an adopted key (`kmsKeyArn`): reads its key policy and fails the run with one line
 * when it lacks what CloudWatch Logs or CloudWatch alarms need. When the policy cannot be read
 * (another account's key: GetKeyPolicy is not cross-account; no kms:GetKeyPolicy) it only warns,
 * naming what was not checked. Resolves to the key ARN, so everything using the key waits for it.
 */
export function checkAdoptedKey(
    keyArn: string,
    region: pulumi.Input<string>,
    read: KeyPolicyReader | pulumi.InvokeOptions,
    warn: (message: string) => void = (m) => pulumi.log.warn(m),
): pulumi.Output<string> {
    const reader = typeof read === "function" ? read : readWithProvider(read);
    return pulumi.output(region).apply(async (r) => {
        let policy: string;
        try {
            policy = await reader(keyArn);
        } catch (e) {
            warn(`kmsKeyArn ${keyArn}: its key policy could not be read (${(e as Error).message.split("\n")[0]}), so it was not checked; it must let logs.${r}.amazonaws.com and cloudwatch.amazonaws.com use the key (README, "Adopting a key")`);
            return keyArn;
        }
        const problems = keyPolicyProblems(policy, r);
        if (problems.length > 0) {
            throw new pulumi.RunError(`Invalid configuration kinesis-streaming:kmsKeyArn = ${JSON.stringify(keyArn)}: its key policy is not usable by this stack: ${problems.join("; ")}. Add the statements listed in README, "Adopting a key".`);
        }
        return keyArn;
    });
}
