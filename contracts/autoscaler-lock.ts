/**
 * The autoscaler's lock table: infra creates it (key and TTL attribute), functions/autoscaler/lock.ts
 * takes and gives back one item per stream in it.
 */

/** The key attribute (the stream name). */
export const LOCK_KEY = "lockId";
/** Epoch seconds the item expires at; also the table's TTL attribute. */
export const LOCK_EXPIRY = "expiresAt";
