import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at, forEachDecidable, isStreamArnOf, isUnknownValueError, list } from "../common";
import { kinesisGrants, ofType, roleViews, TYPE } from "../graph";
import { PACK_SPECIFIC } from "./shared";

/** Why a stream is autoscaled, or undefined: listed in config, or a role of the stack may call kinesis:UpdateShardCount on it. */
function autoscaledBecause(stream: PolicyResource, listed: string[], resources: PolicyResource[]): string | undefined {
    // The physical name is read only when it matters (it is unknown in the first preview).
    if (listed.includes(stream.name) || (listed.length > 0 && listed.includes(stream.props.name as string))) return "listed in autoscaledStreams";
    const { views, undecided } = roleViews(resources);
    let unknown: unknown = undecided;
    for (const view of views) {
        try {
            for (const g of kinesisGrants(view)) {
                if (!g.actions.some((a) => a.toLowerCase() === "kinesis:updateshardcount")) continue;
                if (list(g.statement.Resource).some((r) => r === "*" || isStreamArnOf(r, stream.props.name as string)))
                    return `role ${view.label} may call kinesis:UpdateShardCount on it`;
            }
        } catch (e) {
            if (!isUnknownValueError(e)) throw e;
            // An unknown document only matters when it depends on this stream.
            if (view.documents.some((d) => (d.holder.propertyDependencies.policy ?? []).some((r) => r.urn === stream.urn))) unknown ??= e;
        }
    }
    if (unknown !== undefined) throw unknown;
    return undefined;
}

/** Stack rule 6. */
export const pipelineAutoscaledShardCount: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "pipeline-autoscaled-shard-count",
        description:
            'A provisioned stream that is autoscaled (a role of the stack may call kinesis:UpdateShardCount on it, or it is listed in autoscaledStreams) must ignore changes to shardCount (ignoreChanges: ["shardCount"]), ' +
            `or every pulumi up resets the shard count the autoscaler chose. ${PACK_SPECIFIC}.`,
        enforcementLevel: "mandatory",
        configSchema: { properties: { autoscaledStreams: { type: "array", items: { type: "string" }, default: [] } } },
        validateStack: (args, report) => {
            const listed = args.getConfig<{ autoscaledStreams?: string[] }>().autoscaledStreams ?? [];
            forEachDecidable(ofType(args.resources, TYPE.stream), (stream) => {
                if ((stream.opts.ignoreChanges ?? []).includes("shardCount")) return;
                const why = autoscaledBecause(stream, listed, args.resources);
                if (why && (at(stream.props.streamModeDetails, "streamMode") ?? "PROVISIONED") === "PROVISIONED")
                    report(
                        `stream ${stream.name} is autoscaled (${why}) but does not ignore changes to shardCount; set ignoreChanges: ["shardCount"] so pulumi up leaves the autoscaler's count alone.`,
                        stream.urn,
                    );
            });
        },
    },
    severity: "medium",
    topics: ["capacity"],
    controls: [],
    details:
        'Stack rule 6: a provisioned stream that is autoscaled has `ignoreChanges: ["shardCount"]`, or every `pulumi up` resets the count the ' +
        "autoscaler chose. A stream is autoscaled when a role of the stack may call `kinesis:UpdateShardCount` on it (its ARN or `*`), or when " +
        "`autoscaledStreams` lists it (an autoscaler outside the stack).",
    remediation: 'Add ignoreChanges: ["shardCount"] to the autoscaled stream\'s resource options.',
};
