import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at, forEachDecidable, isAwsManagedKey, candidatesFor, isStreamArnOf, linksOf } from "../common";
import { BY_NAME, ofType, streamNamesInArn, TYPE } from "../graph";

/** The Kinesis stream a delivery stream reads, or the ARN of one the stack does not declare. */
function sourceOf(fh: PolicyResource, streams: PolicyResource[]): { stream?: PolicyResource; external?: string } | undefined {
    const source = fh.props.kinesisSourceConfiguration;
    if (source === undefined) return undefined;
    const { linked, undecided } = linksOf(
        fh,
        "kinesisSourceConfiguration",
        candidatesFor(fh, "kinesisSourceConfiguration", streams, BY_NAME, () => streamNamesInArn(at(source, "kinesisStreamArn"))),
        (s) => isStreamArnOf(at(source, "kinesisStreamArn"), s.props.name as string),
    );
    if (linked.length > 0) return { stream: linked[0] };
    if (undecided !== undefined) throw undecided;
    return { external: String(at(source, "kinesisStreamArn")) };
}

export const firehoseSourceEncrypted: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "firehose-source-encrypted",
        description:
            "A Firehose reading a Kinesis stream must read a stream of the stack encrypted with KMS (such a Firehose takes no encryption setting: the " +
            "stream's protects the records); a Direct PUT Firehose must enable serverSideEncryption with a customer-managed key. " +
            "Controls: Security Hub DataFirehose.1, cdk-nag AwsSolutions-KDF1, Checkov CKV_AWS_240 / CKV_AWS_241.",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            const streams = ofType(args.resources, TYPE.stream);
            forEachDecidable(ofType(args.resources, TYPE.firehose), (fh) => {
                if (fh.props.mskSourceConfiguration !== undefined) return; // MSK: the cluster's encryption, out of this pack's scope
                const source = sourceOf(fh, streams);
                if (source === undefined) {
                    const sse = fh.props.serverSideEncryption;
                    const keyArn = at(sse, "keyArn") as string | undefined;
                    if (at(sse, "enabled") !== true || at(sse, "keyType") !== "CUSTOMER_MANAGED_CMK" || !keyArn || isAwsManagedKey(keyArn)) {
                        report(
                            `delivery stream ${fh.name} takes direct puts without serverSideEncryption on a customer-managed key (keyType CUSTOMER_MANAGED_CMK, keyArn).`,
                            fh.urn,
                        );
                    }
                } else if (source.external !== undefined) {
                    report(`delivery stream ${fh.name} reads ${source.external}, a stream this stack does not declare: its encryption cannot be checked.`, fh.urn);
                } else {
                    const s = source.stream!;
                    if (s.props.encryptionType !== "KMS" || !s.props.kmsKeyId) {
                        report(
                            `delivery stream ${fh.name} reads stream ${s.name}, which is not encrypted with KMS; with a Kinesis source the stream's encryption protects the records.`,
                            fh.urn,
                        );
                    }
                }
            });
        },
    },
    severity: "high",
    topics: ["encryption"],
    controls: [
        { framework: "Security Hub", id: "DataFirehose.1", coverage: "full" },
        { framework: "cdk-nag", id: "AwsSolutions-KDF1", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_240", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_241", coverage: "full" },
    ],
    details:
        "A stack policy: a Firehose reading a Kinesis stream reads a stream of the stack (joined by the `kinesisSourceConfiguration` dependency, else " +
        "its ARN) that is encrypted with KMS: such a Firehose takes no encryption setting of its own, the stream's protects the records. A Direct PUT " +
        "Firehose has `serverSideEncryption` on a customer-managed key. A source stream the stack does not declare is reported (its encryption cannot " +
        "be checked).",
    remediation: "Read a KMS-encrypted stream of the stack, or give a Direct PUT delivery stream serverSideEncryption with a customer-managed key.",
};
