import { QUARANTINE_BUCKET_ENV } from "../../contracts/quarantine";

/** Environment variable with the KMS key (ARN) quarantine objects are encrypted with; optional. */
export const QUARANTINE_KMS_KEY_ENV = "QUARANTINE_KMS_KEY_ARN";

/** The consumer's settings, read once from its environment at cold start. */
export interface ConsumerConfig {
    /** RESULTS_TABLE */
    tableName: string;
    /** ALERTS_TOPIC_ARN */
    alertsTopicArn: string;
    /** FRAUD_AMOUNT_THRESHOLD: an order of at least this amount is suspect. @default 10000 */
    fraudAmountThreshold: number;
    /** FRAUD_ORDERS_PER_MINUTE: a user's Nth (and later) order within one minute is suspect. @default 5 */
    fraudOrdersPerMinute: number;
    /** RESULTS_TTL_DAYS: event items expire this long after they occurred. @default 90 */
    resultsTtlDays: number;
    /** QUARANTINE_BUCKET: the bucket poison records are written to (the archive bucket). */
    quarantineBucket: string;
    /**
     * QUARANTINE_KMS_KEY_ARN: when set, objects are put with SSE-KMS under this key (the bucket's
     * default key, named so a bucket policy requiring the header is met); when unset, the bucket's
     * default encryption applies. `aws:kms` without a key id would mean the AWS-managed aws/s3 key.
     */
    quarantineKmsKeyArn?: string;
}

export const CONSUMER_DEFAULTS = {
    fraudAmountThreshold: 10_000,
    fraudOrdersPerMinute: 5,
    resultsTtlDays: 90,
};

function required(env: NodeJS.ProcessEnv, name: string, what = ""): string {
    const value = env[name]?.trim();
    if (!value) throw new Error(`${name} must be set${what}`);
    return value;
}

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, kind: "positive" | "positive integer"): number {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0 || (kind === "positive integer" && !Number.isInteger(n))) {
        throw new Error(`${name} must be ${kind === "positive" ? "a positive number" : "a positive integer"}, got ${JSON.stringify(raw)}`);
    }
    return n;
}

/** Throws one clear message per bad variable, so a misconfigured function fails at init, not per record. */
export function readConfig(env: NodeJS.ProcessEnv): ConsumerConfig {
    return {
        tableName: required(env, "RESULTS_TABLE"),
        alertsTopicArn: required(env, "ALERTS_TOPIC_ARN"),
        fraudAmountThreshold: numberFrom(env, "FRAUD_AMOUNT_THRESHOLD", CONSUMER_DEFAULTS.fraudAmountThreshold, "positive"),
        fraudOrdersPerMinute: numberFrom(env, "FRAUD_ORDERS_PER_MINUTE", CONSUMER_DEFAULTS.fraudOrdersPerMinute, "positive integer"),
        resultsTtlDays: numberFrom(env, "RESULTS_TTL_DAYS", CONSUMER_DEFAULTS.resultsTtlDays, "positive integer"),
        quarantineBucket: required(env, QUARANTINE_BUCKET_ENV, " to the name of the bucket poison records are quarantined in (the archive bucket)"),
        ...(env[QUARANTINE_KMS_KEY_ENV]?.trim() ? { quarantineKmsKeyArn: env[QUARANTINE_KMS_KEY_ENV]!.trim() } : {}),
    };
}
