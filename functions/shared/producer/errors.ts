/** Error codes the producer gives itself (the others come from Kinesis or the SDK). */
export const ProducerErrorCode = {
    /** Data plus partition key over the stream's record limit (MaxRecordSizeInKiB, 1 MiB by default). */
    RecordTooLarge: "RecordTooLarge",
    /** Missing, empty or over 256 characters, or not derivable by the partition key strategy. */
    InvalidPartitionKey: "InvalidPartitionKey",
    /** Not a decimal in 0..2^128-1. */
    InvalidExplicitHashKey: "InvalidExplicitHashKey",
    /** Data neither a string nor a Uint8Array. */
    InvalidData: "InvalidData",
    /** The record TTL passed before its first attempt. (After an attempt the last error code is kept.) */
    RecordExpired: "RecordExpired",
    /**
     * The last attempt's response was lost (timeout, connection reset, socket hang-up, HTTP 5xx):
     * the record may have been written. The message names the underlying error.
     */
    RequestOutcomeUnknown: "RequestOutcomeUnknown",
    /** put() after close(). */
    ProducerClosed: "ProducerClosed",
} as const;

const THROTTLING = new Set([
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "Throttling",
    "LimitExceededException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "KMSThrottlingException",
    "SlowDown",
]);

/** Per-entry error codes that no resend can fix. */
const NON_RETRYABLE_ENTRY_CODES = new Set(["AccessDeniedException", "ValidationException", "InvalidArgumentException", "ResourceNotFoundException"]);

export function isThrottle(code: string): boolean {
    return THROTTLING.has(code);
}

function isKmsFailure(code: string): boolean {
    // KMSAccessDenied, KMSDisabled, KMSInvalidState, KMSNotFound, KMSOptInRequired: the key has to be
    // fixed by a person. KMSThrottling is a throttle and is retried.
    return code.startsWith("KMS") && code !== "KMSThrottlingException";
}

/**
 * Whether a failed PutRecords entry is worth resending. Kinesis documents
 * ProvisionedThroughputExceededException and InternalFailure; unknown codes are retried (until the
 * record's TTL), key and permission problems are not.
 */
export function isRetryableEntryError(code: string): boolean {
    return !NON_RETRYABLE_ENTRY_CODES.has(code) && !isKmsFailure(code);
}

export interface RequestError {
    code: string;
    message: string;
    retryable: boolean;
    throttled: boolean;
    /** No answer came back (network error, timeout, abort) or the service failed (5xx): it may have written. */
    outcomeUnknown: boolean;
}

/**
 * Classifies an error thrown by `client.send(PutRecordsCommand)`: throttling, HTTP 5xx, timeouts
 * and network failures (no HTTP response) are retried; any other 4xx (validation, missing stream,
 * access denied, KMS key problems, bad credentials) fails the request's records at once. Without a
 * response, or with a 5xx, nobody knows whether Kinesis wrote the records: the outcome is unknown.
 */
export function classifyRequestError(err: unknown): RequestError {
    const e = (typeof err === "object" && err !== null ? err : {}) as {
        name?: unknown;
        message?: unknown;
        code?: unknown;
        $metadata?: { httpStatusCode?: number };
        $retryable?: unknown;
    };
    const name = typeof e.name === "string" && e.name !== "" && e.name !== "Error" ? e.name : typeof e.code === "string" ? e.code : "UnknownError";
    const message = typeof e.message === "string" ? e.message : String(err);
    const status = e.$metadata?.httpStatusCode;
    const throttled = THROTTLING.has(name);
    let retryable: boolean;
    if (throttled) retryable = true;
    else if (isKmsFailure(name) || NON_RETRYABLE_ENTRY_CODES.has(name)) retryable = false;
    else if (e.$retryable !== undefined)
        retryable = true; // the SDK marked it transient
    else if (status !== undefined) retryable = status >= 500;
    else retryable = true; // no HTTP response at all: network error, timeout, abort
    const outcomeUnknown = !throttled && retryable && (status === undefined || status >= 500);
    return { code: name, message, retryable, throttled, outcomeUnknown };
}
