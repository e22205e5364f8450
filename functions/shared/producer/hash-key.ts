import { hash } from "node:crypto";

/** The largest hash key of a stream's key space: 2^128 - 1. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

/** Kinesis' own pattern for ExplicitHashKey: a decimal without leading zeros, up to 39 digits. */
const EXPLICIT_HASH_KEY_PATTERN = /^(0|[1-9]\d{0,38})$/;

/**
 * The hash key Kinesis routes a partition key by: MD5 of its UTF-8 bytes read as a
 * 128-bit big-endian unsigned integer.
 */
export function partitionKeyHash(partitionKey: string): bigint {
    // The one-shot hash: half the cost of createHash().update().digest() per key.
    return BigInt(`0x${hash("md5", partitionKey, "hex")}`);
}

/** Parses an ExplicitHashKey; undefined when it is not a decimal in 0..2^128-1 as Kinesis accepts it. */
export function parseExplicitHashKey(value: string): bigint | undefined {
    if (!EXPLICIT_HASH_KEY_PATTERN.test(value)) return undefined;
    const key = BigInt(value);
    return key <= MAX_HASH_KEY ? key : undefined;
}
