// `alertSubscriptions` entries: the SNS protocol each takes follows from the entry's form.
import { z } from "zod";

export type AlertProtocol = "email" | "https" | "sqs";
export interface AlertSubscription {
    protocol: AlertProtocol;
    endpoint: string;
}

// An address alone: a `mailto:` URI or a display name is not an endpoint SNS's email protocol takes.
const EMAIL = /^[\w.!#$%&'*+=?^`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+$/;
const HTTPS = /^https:\/\/[^\s/]+(\/\S*)?$/;
const SQS_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}(\.fifo)?$/;

/** Turns one `alertSubscriptions` entry into a subscription, inferring the protocol from its form. */
export function parseSubscription(entry: string): AlertSubscription | undefined {
    if (EMAIL.test(entry)) return { protocol: "email", endpoint: entry };
    if (HTTPS.test(entry)) return { protocol: "https", endpoint: entry };
    if (SQS_ARN.test(entry)) return { protocol: "sqs", endpoint: entry };
    return undefined;
}

/**
 * Why an `alertSubscriptions` entry is refused. SNS's protocols and the endpoint each takes (Subscribe
 * API): email / email-json an address, http / https a URL with that scheme, sms a phone number, sqs /
 * lambda / firehose / application the ARN of a queue, function, delivery stream or mobile endpoint.
 * This stack offers email, https and sqs: http sends alerts in clear text, and the others need
 * permissions or a role the stack does not create.
 */
function subscriptionProblem(entry: string): string {
    const allowed = "each entry must be an email address (ops@example.com), an https:// URL or an SQS queue ARN";
    if (/^mailto:/i.test(entry)) return `${allowed}; SNS has no mailto protocol: give the address without "mailto:"`;
    if (/^http:\/\//i.test(entry)) return `${allowed}; http:// would send alerts in clear text`;
    return allowed;
}

/** One entry checked and read as a subscription. */
export const ALERT_SUBSCRIPTION: z.ZodType<AlertSubscription, string> = z.string().transform((entry, ctx) => {
    const subscription = parseSubscription(entry);
    if (subscription) return subscription;
    ctx.addIssue({ code: "custom", message: subscriptionProblem(entry) });
    return z.NEVER;
});
