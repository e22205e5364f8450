import * as z from "zod/mini";
import { QUARANTINE_BUCKET_ENV } from "../quarantine";
import { type Env, parseEnv, positive, required } from "./read";

/** The consumer's environment: set by infra/stack.ts and infra/components/lambda-consumer.ts, read by functions/consumer. */
export const CONSUMER_ENV = Object.freeze({
    tableName: "RESULTS_TABLE",
    alertsTopicArn: "ALERTS_TOPIC_ARN",
    fraudAmountThreshold: "FRAUD_AMOUNT_THRESHOLD",
    fraudOrdersPerMinute: "FRAUD_ORDERS_PER_MINUTE",
    resultsTtlDays: "RESULTS_TTL_DAYS",
    quarantineBucket: QUARANTINE_BUCKET_ENV,
    quarantineKmsKeyArn: "QUARANTINE_KMS_KEY_ARN",
});

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

const shape = {
    [CONSUMER_ENV.tableName]: required(),
    [CONSUMER_ENV.alertsTopicArn]: required(),
    [CONSUMER_ENV.fraudAmountThreshold]: z.optional(positive(false)),
    [CONSUMER_ENV.fraudOrdersPerMinute]: z.optional(positive(true)),
    [CONSUMER_ENV.resultsTtlDays]: z.optional(positive(true)),
    [CONSUMER_ENV.quarantineBucket]: required(": the name of the bucket poison records are quarantined in (the archive bucket)"),
    [CONSUMER_ENV.quarantineKmsKeyArn]: z.optional(z.string()),
};

/**
 * The variables the stack sets from its settings (the quarantine bucket and key are the component's);
 * `S` is whatever carries a deploy-time name (a plain string locally).
 */
export function consumerEnvironment<S>(args: {
    tableName: S;
    alertsTopicArn: S;
    fraudAmountThreshold: number;
    fraudOrdersPerMinute: number;
    resultsTtlDays: number;
}): Record<string, S | string> {
    return {
        [CONSUMER_ENV.tableName]: args.tableName,
        [CONSUMER_ENV.alertsTopicArn]: args.alertsTopicArn,
        [CONSUMER_ENV.fraudAmountThreshold]: String(args.fraudAmountThreshold),
        [CONSUMER_ENV.fraudOrdersPerMinute]: String(args.fraudOrdersPerMinute),
        [CONSUMER_ENV.resultsTtlDays]: String(args.resultsTtlDays),
    };
}

export function readConsumerEnv(env: Env): ConsumerConfig {
    const e = parseEnv("consumer", shape, env);
    return {
        tableName: e.RESULTS_TABLE,
        alertsTopicArn: e.ALERTS_TOPIC_ARN,
        fraudAmountThreshold: e.FRAUD_AMOUNT_THRESHOLD ?? CONSUMER_DEFAULTS.fraudAmountThreshold,
        fraudOrdersPerMinute: e.FRAUD_ORDERS_PER_MINUTE ?? CONSUMER_DEFAULTS.fraudOrdersPerMinute,
        resultsTtlDays: e.RESULTS_TTL_DAYS ?? CONSUMER_DEFAULTS.resultsTtlDays,
        quarantineBucket: e.QUARANTINE_BUCKET,
        ...(e.QUARANTINE_KMS_KEY_ARN ? { quarantineKmsKeyArn: e.QUARANTINE_KMS_KEY_ARN } : {}),
    };
}
