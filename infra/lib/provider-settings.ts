import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** `aws:` settings held as plain strings. */
const STRING_KEYS = [
    "profile",
    "retryMode",
    "stsRegion",
    "customCaBundle",
    "httpProxy",
    "httpsProxy",
    "noProxy",
    "ec2MetadataServiceEndpoint",
    "ec2MetadataServiceEndpointMode",
] as const;
/** `aws:` settings that are lists or maps (the CLI hands them over as JSON). */
const OBJECT_KEYS = [
    "assumeRoles",
    "assumeRoleWithWebIdentity",
    "allowedAccountIds",
    "forbiddenAccountIds",
    "defaultTags",
    "ignoreTags",
    "sharedConfigFiles",
    "sharedCredentialsFiles",
] as const;
const BOOLEAN_KEYS = [
    "skipCredentialsValidation",
    "skipMetadataApiCheck",
    "skipRequestingAccountId",
    "skipRegionValidation",
    "insecure",
    "s3UsePathStyle",
    "useFipsEndpoint",
    "useDualstackEndpoint",
] as const;
/** Static credentials stay secret on the second provider too. */
const SECRET_KEYS = ["accessKey", "secretKey", "token"] as const;

/**
 * The stack's `aws:` provider settings for a provider in a second region: the same credentials,
 * roles, account guard and default tags as the default provider, everything but the region (and
 * per-region `endpoints`). Without them the replica region would be deployed with whatever the
 * ambient credentials are, into whatever account they reach, untagged.
 */
export function carriedProviderSettings(config: pulumi.Config = new pulumi.Config("aws")): Omit<aws.ProviderArgs, "region"> {
    const out: Record<string, unknown> = {};
    for (const key of STRING_KEYS) out[key] = config.get(key);
    for (const key of OBJECT_KEYS) out[key] = config.getObject(key);
    for (const key of BOOLEAN_KEYS) out[key] = config.getBoolean(key);
    for (const key of SECRET_KEYS) out[key] = config.getSecret(key);
    out.maxRetries = config.getNumber("maxRetries");
    return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Omit<aws.ProviderArgs, "region">;
}
