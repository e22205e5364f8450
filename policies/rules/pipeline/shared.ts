// Stack rules across services that none of the known packs (cdk-nag, Checkov, Security Hub, AWS
// Config, awsguard) have: how consumers fail, whether a failed batch can still be replayed, whether
// every moving part is watched, whether one key protects it all, whether the shards carry the
// declared load, and whether `pulumi up` leaves the autoscaler's shard count alone.
import type { PolicyResource } from "@pulumi/policy";
import { forEachDecidable, isUnknownValueError } from "../common";
import { kinesisSourceOf, ofType, TYPE } from "../graph";

export const PACK_SPECIFIC = "Controls: pack-specific (no Security Hub, AWS Config, cdk-nag or Checkov check)";

/** Every Kinesis event source mapping of the stack with its source. */
export function kinesisMappings(resources: PolicyResource[]): { esm: PolicyResource; stream?: PolicyResource; consumer?: PolicyResource; external?: string }[] {
    const streams = ofType(resources, TYPE.stream);
    const consumers = ofType(resources, TYPE.streamConsumer);
    const out: { esm: PolicyResource; stream?: PolicyResource; consumer?: PolicyResource; external?: string }[] = [];
    forEachDecidable(ofType(resources, TYPE.esm), (esm) => {
        const source = kinesisSourceOf(esm, streams, consumers);
        if (source) out.push({ esm, ...source });
    });
    return out;
}

/** Runs `check` per mapping; mappings whose source is unknown in preview are rethrown after the others. */
export function forEachMapping(resources: PolicyResource[], check: (m: ReturnType<typeof kinesisMappings>[number]) => void): void {
    let mappings: ReturnType<typeof kinesisMappings> = [];
    let unknown: unknown;
    try {
        mappings = kinesisMappings(resources);
    } catch (e) {
        if (!isUnknownValueError(e)) throw e;
        unknown = e;
    }
    forEachDecidable([...mappings, undefined], (m) => {
        if (m === undefined) {
            if (unknown !== undefined) throw unknown;
            return;
        }
        check(m);
    });
}
