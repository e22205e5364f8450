// What several pipeline policies use (the folder's index.ts says what the policies check).
import type { PolicyResource } from "@pulumi/policy";
import { forEachDecidable, isUnknownValueError } from "../common";
import { kinesisSourceOf, ofType, TYPE } from "../graph";

export const PACK_SPECIFIC = "Controls: pack-specific (no Security Hub, AWS Config, cdk-nag or Checkov check)";

/** Every Kinesis event source mapping of the stack with its source. */
function kinesisMappings(resources: PolicyResource[]): { esm: PolicyResource; stream?: PolicyResource; consumer?: PolicyResource; external?: string }[] {
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
