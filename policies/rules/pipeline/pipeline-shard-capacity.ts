import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at, forEachDecidable, candidatesFor, isStreamArnOf, linksOf } from "../common";
import { BY_NAME, ofType, streamNamesInArn, TYPE } from "../graph";
import { forEachMapping, PACK_SPECIFIC } from "./shared";

/** A stream's declared workload: its tags first, then the policy config. */
function workloadOf(stream: PolicyResource, config: Workload): Workload {
    const tags = (stream.props.tags ?? {}) as Record<string, unknown>;
    const tag = (k: string, fallback: number) => (tags[k] === undefined ? fallback : Number(tags[k]));
    return {
        recordsPerSecond: tag("workload:records-per-second", config.recordsPerSecond),
        averageRecordBytes: tag("workload:average-record-bytes", config.averageRecordBytes),
        sharedConsumers: tag("workload:shared-consumers", config.sharedConsumers),
    };
}

interface Workload {
    recordsPerSecond: number;
    averageRecordBytes: number;
    sharedConsumers: number;
}

export const WORKLOAD_DEFAULTS: Workload = { recordsPerSecond: 0, averageRecordBytes: 1024, sharedConsumers: 0 };

const MIB = 1_048_576;

/** The shards a workload needs: max(write bytes / 1 MiB/s, records / 1,000/s, read bytes x shared consumers / 2 MiB/s). */
export function shardsNeeded(w: Workload): { shards: number; byBytes: number; byRecords: number; byReads: number } {
    const bytes = w.recordsPerSecond * w.averageRecordBytes;
    const byBytes = Math.ceil(bytes / MIB);
    const byRecords = Math.ceil(w.recordsPerSecond / 1000);
    const byReads = Math.ceil((bytes * w.sharedConsumers) / (2 * MIB));
    return { shards: Math.max(1, byBytes, byRecords, byReads), byBytes, byRecords, byReads };
}

/** Stack rule 5. */
export const pipelineShardCapacity: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "pipeline-shard-capacity",
        description:
            "A provisioned stream with a declared workload (stream tags workload:records-per-second, workload:average-record-bytes, workload:shared-consumers, " +
            "else this policy's recordsPerSecond, averageRecordBytes, sharedConsumers) must have shardCount >= max(bytes / 1 MiB/s, records / 1,000/s, " +
            "bytes x shared consumers / 2 MiB/s); shared consumers are at least the mappings and Firehoses of the stack reading it without enhanced fan-out. " +
            `Not applicable when no workload is declared (recordsPerSecond 0). ${PACK_SPECIFIC}.`,
        enforcementLevel: "mandatory",
        configSchema: {
            properties: {
                recordsPerSecond: { type: "integer", minimum: 0, maximum: 10_000_000, default: WORKLOAD_DEFAULTS.recordsPerSecond },
                averageRecordBytes: { type: "integer", minimum: 1, maximum: 10_485_760, default: WORKLOAD_DEFAULTS.averageRecordBytes },
                sharedConsumers: { type: "integer", minimum: 0, maximum: 100, default: WORKLOAD_DEFAULTS.sharedConsumers },
            },
        },
        validateStack: (args, report) => {
            const c = args.getConfig<Partial<Workload>>();
            const config: Workload = {
                recordsPerSecond: c.recordsPerSecond ?? WORKLOAD_DEFAULTS.recordsPerSecond,
                averageRecordBytes: c.averageRecordBytes ?? WORKLOAD_DEFAULTS.averageRecordBytes,
                sharedConsumers: c.sharedConsumers ?? WORKLOAD_DEFAULTS.sharedConsumers,
            };
            const shared = new Map<string, number>();
            forEachMapping(args.resources, ({ stream, consumer }) => {
                if (stream && !consumer) shared.set(stream.urn, (shared.get(stream.urn) ?? 0) + 1);
            });
            const streams = ofType(args.resources, TYPE.stream);
            forEachDecidable(ofType(args.resources, TYPE.firehose), (fh) => {
                if (fh.props.kinesisSourceConfiguration === undefined) return;
                const sourceArn = () => at(fh.props.kinesisSourceConfiguration, "kinesisStreamArn");
                const near = candidatesFor(fh, "kinesisSourceConfiguration", streams, BY_NAME, () => streamNamesInArn(sourceArn()));
                const { linked, undecided } = linksOf(fh, "kinesisSourceConfiguration", near, (s) =>
                    isStreamArnOf(at(fh.props.kinesisSourceConfiguration, "kinesisStreamArn"), s.props.name as string),
                );
                if (linked.length === 0 && undecided !== undefined) throw undecided;
                for (const s of linked) shared.set(s.urn, (shared.get(s.urn) ?? 0) + 1);
            });
            let declared = false;
            forEachDecidable(streams, (stream) => {
                const w = workloadOf(stream, config);
                if (!(w.recordsPerSecond > 0)) return;
                if ((at(stream.props.streamModeDetails, "streamMode") ?? "PROVISIONED") !== "PROVISIONED") return;
                declared = true;
                const counted = shared.get(stream.urn) ?? 0;
                const need = shardsNeeded({ ...w, sharedConsumers: Math.max(w.sharedConsumers, counted) });
                const shards = (stream.props.shardCount as number | undefined) ?? 0;
                if (shards < need.shards) {
                    report(
                        `stream ${stream.name} has ${shards} shards; the declared ${w.recordsPerSecond} records/s of ${w.averageRecordBytes} bytes with ${Math.max(w.sharedConsumers, counted)} shared-throughput consumers needs ${need.shards} ` +
                            `(${need.byBytes} for 1 MiB/s of writes per shard, ${need.byRecords} for 1,000 records/s per shard, ${need.byReads} for 2 MiB/s of shared reads per shard).`,
                        stream.urn,
                    );
                }
            });
            if (!declared) args.notApplicable("no provisioned stream has a declared workload");
        },
    },
    severity: "medium",
    topics: ["capacity"],
    controls: [],
    details:
        "Stack rule 5: a provisioned stream with a declared workload has `shardCount` ≥ max(bytes/s ÷ 1 MiB/s, records/s ÷ 1,000, bytes/s × shared " +
        "consumers ÷ 2 MiB/s). The workload comes from the stream's tags `workload:records-per-second`, `workload:average-record-bytes`, " +
        "`workload:shared-consumers`, else this policy's config; shared consumers are at least the mappings and Firehoses of the stack that read the " +
        "stream without enhanced fan-out. Not applicable when nothing is declared.",
    remediation: "Raise shardCount to the shards the declared workload needs (the violation says how many), or correct the workload tags.",
    configNote: "the program tags its streams with the stack file's workload, so no environment sets these",
};
