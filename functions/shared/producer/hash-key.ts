import { hash } from "node:crypto";

/** The largest hash key of a stream's key space: 2^128 - 1. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

/** Kinesis' own pattern for ExplicitHashKey: a decimal without leading zeros, up to 39 digits. */
const EXPLICIT_HASH_KEY_PATTERN = /^(0|[1-9]\d{0,38})$/;

/**
 * Hash keys of recently seen partition keys: a producer puts the same keys over and over, and the
 * MD5 is most of the cost of routing a record. Bounded: emptied when full.
 */
const recent = new Map<string, bigint>();
export const RECENT_HASH_KEYS = 4096;

/**
 * The hash key Kinesis routes a partition key by: MD5 of its UTF-8 bytes read as a
 * 128-bit big-endian unsigned integer.
 */
export function partitionKeyHash(partitionKey: string): bigint {
    let key = recent.get(partitionKey);
    if (key === undefined) {
        // The one-shot hash: about half the cost of createHash().update().digest().
        key = BigInt(`0x${hash("md5", partitionKey, "hex")}`);
        if (recent.size >= RECENT_HASH_KEYS) recent.clear();
        recent.set(partitionKey, key);
    }
    return key;
}

/** Parses an ExplicitHashKey; undefined when it is not a decimal in 0..2^128-1 as Kinesis accepts it. */
export function parseExplicitHashKey(value: string): bigint | undefined {
    if (!EXPLICIT_HASH_KEY_PATTERN.test(value)) return undefined;
    const key = BigInt(value);
    return key <= MAX_HASH_KEY ? key : undefined;
}
