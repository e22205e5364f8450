import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at, forEachDecidable, isUnknownValueError, list, memoized } from "../common";
import { kinesisGrants, ofType, type RoleView, roleViews, streamNamesInArn, TYPE } from "../graph";
import { PACK_SPECIFIC } from "./shared";

/**
 * The roles that may call kinesis:UpdateShardCount, read once per check: the positions (in roleViews
 * order) of those granting it on `*` and, by stream name, on a stream ARN; the views whose documents
 * are unknown in preview, with their unknown.
 */
interface ShardCountGrants {
    views: RoleView[];
    undecided?: unknown;
    wildcard: number[];
    byStream: Map<string, number[]>;
    /** Per view: the Resource lists of its UpdateShardCount grants, or the unknown that kept them from being read. */
    perView: ({ resources: unknown[][] } | { error: unknown })[];
}

function shardCountGrants(resources: PolicyResource[]): ShardCountGrants {
    return memoized(resources, "update-shard-count-grants", () => {
        const { views, undecided } = roleViews(resources);
        const out: ShardCountGrants = { views, undecided, wildcard: [], byStream: new Map(), perView: [] };
        views.forEach((view, i) => {
            try {
                const resources = kinesisGrants(view)
                    .filter((g) => g.actions.some((a) => a.toLowerCase() === "kinesis:updateshardcount"))
                    .map((g) => list(g.statement.Resource) as unknown[]);
                out.perView.push({ resources });
                for (const r of resources.flat()) {
                    if (r === "*") out.wildcard.push(i);
                    for (const name of streamNamesInArn(r)) out.byStream.set(name, [...(out.byStream.get(name) ?? []), i]);
                }
            } catch (e) {
                if (!isUnknownValueError(e)) throw e;
                out.perView.push({ error: e });
            }
        });
        return out;
    });
}

/** Why a stream is autoscaled, or undefined: listed in config, or a role of the stack may call kinesis:UpdateShardCount on it. */
function autoscaledBecause(stream: PolicyResource, listed: string[], resources: PolicyResource[]): string | undefined {
    // The physical name is read only when it matters (it is unknown in the first preview).
    if (listed.includes(stream.name) || (listed.length > 0 && listed.includes(stream.props.name as string))) return "listed in autoscaledStreams";
    const grants = shardCountGrants(resources);
    const because = (i: number) => `role ${grants.views[i]!.label} may call kinesis:UpdateShardCount on it`;
    let unknown: unknown = grants.undecided;
    // An unknown document only matters when it depends on this stream.
    const dependsOnStream = (view: RoleView) => view.documents.some((d) => (d.holder.propertyDependencies.policy ?? []).some((r) => r.urn === stream.urn));
    let name: unknown;
    try {
        name = stream.props.name;
    } catch (e) {
        if (!isUnknownValueError(e)) throw e;
        // The name is unknown in preview: the roles in order, a grant on a named stream leaving that role undecided.
        for (const [i, v] of grants.perView.entries()) {
            if ("error" in v) {
                if (dependsOnStream(grants.views[i]!)) unknown ??= v.error;
                continue;
            }
            const named = v.resources.flat().findIndex((r) => r !== "*");
            const star = v.resources.flat().indexOf("*");
            if (star !== -1 && (named === -1 || star < named)) return because(i);
            if (named !== -1 && dependsOnStream(grants.views[i]!)) unknown ??= e;
        }
        if (unknown !== undefined) throw unknown;
        return undefined;
    }
    // The first role (in roleViews order) granting it on `*` or on this stream's ARN.
    const first = Math.min(...grants.wildcard.slice(0, 1), ...(typeof name === "string" ? (grants.byStream.get(name) ?? []) : []).slice(0, 1));
    if (Number.isFinite(first)) return because(first);
    for (const [i, v] of grants.perView.entries()) if ("error" in v && dependsOnStream(grants.views[i]!)) unknown ??= v.error;
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
