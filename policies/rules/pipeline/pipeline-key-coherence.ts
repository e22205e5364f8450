import type { StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at, forEachDecidable, list, orIfUnknown, someDecidable } from "../common";
import { ofType, TYPE } from "../graph";

/** Where each kind of resource names its KMS key: the property (for its dependencies) and the values in it. */
const KEY_REFERENCES: { type: string | readonly string[]; prop: string; keys: (p: Record<string, unknown>) => unknown[] }[] = [
    { type: TYPE.stream, prop: "kmsKeyId", keys: (p) => (p.encryptionType === "KMS" ? [p.kmsKeyId] : []) },
    { type: TYPE.topic, prop: "kmsMasterKeyId", keys: (p) => [p.kmsMasterKeyId] },
    { type: TYPE.queue, prop: "kmsMasterKeyId", keys: (p) => [p.kmsMasterKeyId] },
    { type: TYPE.table, prop: "serverSideEncryption", keys: (p) => (at(p.serverSideEncryption, "enabled") === true ? [at(p.serverSideEncryption, "kmsKeyArn")] : []) },
    { type: TYPE.bucketEncryption, prop: "rules", keys: (p) => list(p.rules as unknown[]).map((r) => at(r, "applyServerSideEncryptionByDefault", "kmsMasterKeyId")) },
    { type: TYPE.logGroup, prop: "kmsKeyId", keys: (p) => [p.kmsKeyId] },
    { type: TYPE.firehose, prop: "extendedS3Configuration", keys: (p) => [at(p.extendedS3Configuration, "kmsKeyArn")] },
    { type: TYPE.firehose, prop: "serverSideEncryption", keys: (p) => [at(p.serverSideEncryption, "keyArn")] },
    { type: TYPE.function, prop: "kmsKeyArn", keys: (p) => [p.kmsKeyArn] },
];

/** Stack rule 4 (rotation of the stack's keys is kms-key-rotation's). */
export const pipelineKeyCoherence: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "pipeline-key-coherence",
        description:
            "Streams, topics, queues, tables, buckets, log groups, Firehoses and functions that name a KMS key must use a key declared in the stack (an " +
            "aws.kms.Key by dependency, ARN or key id, or an aws.kms.Alias of one by name or ARN), or one listed in externalKeyArns (an adopted key): one key policy then says who reads the " +
            "pipeline's data, and kms-key-rotation checks that it rotates. Controls: pack-specific (Security Hub KMS.4 and Checkov CKV_AWS_7 check the keys, not their use).",
        enforcementLevel: "mandatory",
        configSchema: { properties: { externalKeyArns: { type: "array", items: { type: "string" }, default: [] } } },
        validateStack: (args, report) => {
            const external = args.getConfig<{ externalKeyArns?: string[] }>().externalKeyArns ?? [];
            const keys = [...ofType(args.resources, TYPE.key), ...ofType(args.resources, TYPE.replicaKey)];
            const aliases = ofType(args.resources, TYPE.alias);
            const stackKeyUrns = new Set([...keys, ...aliases].map((k) => k.urn));
            // What a stack key is known by once created (the engine gives stack policies outputs): its ARN and key id.
            const keyIds = new Set(
                keys.flatMap((k) => [orIfUnknown(() => k.props.arn, undefined), orIfUnknown(() => k.props.keyId, undefined)]).filter((v) => typeof v === "string" && v !== ""),
            );
            for (const ref of KEY_REFERENCES) {
                forEachDecidable(ofType(args.resources, ref.type), (r) => {
                    if ((r.propertyDependencies[ref.prop] ?? []).some((d) => stackKeyUrns.has(d.urn))) return;
                    for (const key of ref.keys(r.props)) {
                        if (key === undefined || key === null || key === "") continue;
                        const value = String(key);
                        if (external.includes(value)) continue;
                        // A key id alone, or the ARN of a stack key given as a literal (written by hand, or a StackReference).
                        if (keyIds.has(value)) continue;
                        const alias = /(^|:)(alias\/.+)$/.exec(value)?.[2];
                        if (alias && !alias.startsWith("alias/aws/") && someDecidable(aliases, (a) => a.props.name === alias)) continue;
                        report(
                            `${r.name} uses KMS key ${JSON.stringify(value)}, which is not a key declared in this stack; use the stack's key (an adopted key goes in externalKeyArns).`,
                            r.urn,
                        );
                    }
                });
            }
        },
    },
    severity: "medium",
    topics: ["encryption"],
    controls: [
        { framework: "Security Hub", id: "KMS.4", coverage: "none", note: "checks the keys, not their use" },
        { framework: "Checkov", id: "CKV_AWS_7", coverage: "none", note: "checks the keys, not their use" },
    ],
    details:
        "Stack rule 4: streams, topics, queues, tables, bucket encryption configurations, log groups, Firehoses and functions that name a KMS key use " +
        "a key declared in the stack (the property depends on an `aws.kms.Key`, holds the ARN or key id of one as a literal value, or names an " +
        "`aws.kms.Alias` of the stack by name or ARN) or one listed in `externalKeyArns` (an adopted key, `kmsKeyArn` in the stack config). One key " +
        "policy then says who reads the pipeline's data, and `kms-key-rotation` checks that it rotates. Resources that name no key are their own " +
        "rules' findings.",
    remediation: "Use a KMS key declared in the stack, or list the adopted key in externalKeyArns.",
};
