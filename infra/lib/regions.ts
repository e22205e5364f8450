import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Every AWS region code a stack may deploy to: the commercial partition, AWS GovCloud (US), China and
 * the European Sovereign Cloud. From AWS's "AWS Region billing codes" page
 * (docs.aws.amazon.com/global-infrastructure/latest/regions/aws-region-billing-codes.html), checked
 * against the `Region` enum of @pulumi/aws 7.48.0, on 2026-12-07. The isolated (ISO) partitions are left
 * out: they are not reachable from outside their networks.
 *
 * A code not listed here is refused rather than matched against a "plausible" pattern: `us-moon-1` and a
 * typo like `us-esat-1` fit any pattern, and a new region is a one-line addition here
 * (tests/infra/config.test.ts fails when the installed provider knows a region this list lacks).
 */
export const AWS_REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "ca-west-1",
    "mx-central-1",
    "sa-east-1",
    "af-south-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "us-gov-east-1",
    "us-gov-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eusc-de-east-1",
] as const;

export const isAwsRegion = (value: string): boolean => (AWS_REGIONS as readonly string[]).includes(value);

/** The partition a region belongs to (the second field of its ARNs). */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    if (region.startsWith("eusc-")) return "aws-eusc";
    return "aws";
}

/** The stack's region and where it came from, for messages that name the setting to fix. */
export interface ResolvedRegion {
    region: string;
    /** `aws:region`, an environment variable, or the profile of a shared config file. */
    source: string;
}

/** The region a profile of a shared config file (INI: `[default]` or `[profile <name>]`) sets, if any. */
function profileRegion(file: string, profile: string): string | undefined {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
    const header = profile === "default" ? /^\[\s*(profile\s+)?default\s*\]$/ : new RegExp(`^\\[\\s*profile\\s+${profile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*\\]$`);
    let inProfile = false;
    for (const line of text.split(/\r?\n/).map((l) => l.trim())) {
        if (line.startsWith("[")) inProfile = header.test(line);
        else if (inProfile) {
            const m = /^region\s*=\s*(\S+)/.exec(line);
            if (m) return m[1];
        }
    }
    return undefined;
}

/**
 * Resolves the region the AWS provider will deploy to, in its order: `aws:region`, then `AWS_REGION`,
 * `AWS_DEFAULT_REGION`, then the region of the selected profile (`aws:profile`, else `AWS_PROFILE`, else
 * `default`) in the shared config file (`AWS_CONFIG_FILE`, else ~/.aws/config). Undefined when none is set.
 */
export function resolveRegion(config: Record<string, string | undefined>, env: NodeJS.ProcessEnv): ResolvedRegion | undefined {
    const set = (v: string | undefined) => (v !== undefined && v !== "" ? v : undefined);
    const fromConfig = set(config["aws:region"]);
    if (fromConfig) return { region: fromConfig, source: "aws:region" };
    for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
        const v = set(env[name]);
        if (v) return { region: v, source: `the environment variable ${name}` };
    }
    const profile = set(config["aws:profile"]) ?? set(env.AWS_PROFILE) ?? "default";
    const file = set(env.AWS_CONFIG_FILE) ?? path.join(env.HOME ?? os.homedir(), ".aws", "config");
    const fromProfile = profileRegion(file, profile);
    return fromProfile ? { region: fromProfile, source: `profile "${profile}" of ${file}` } : undefined;
}
