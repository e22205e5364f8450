// The alerts topic, locally (no SNS emulator exists on npm): a client stand-in the consumer publishes
// to like the SDK's SNSClient (PublishCommand), which prints each alert as it happens and keeps count.
import { randomUUID } from "node:crypto";
import { PublishCommand, type PublishCommandInput, type SNSClient } from "@aws-sdk/client-sns";

export interface PublishedAlert {
    messageId: string;
    topicArn: string;
    subject: string | undefined;
    /** The message parsed as JSON, or its text. */
    message: unknown;
    /** Epoch ms. */
    at: number;
}

export interface LocalSnsOptions {
    /** Only this topic exists (publishing elsewhere fails with NotFound, as SNS does). */
    topicArn: string;
    /** Told about each alert as it is published. */
    print?: (line: string) => void;
}

/** One line for a fraud alert of functions/consumer/fraud-rule.ts (any other message: its subject). */
export function describeAlert(alert: PublishedAlert): string {
    const m = alert.message as
        | { alert_type?: string; order_id?: string; user_id?: string; amount?: number; currency?: string; reasons?: string[]; orders_in_minute?: number }
        | string;
    if (typeof m !== "object" || m === null || m.alert_type !== "fraud_suspected") return `SNS ${alert.subject ?? "(no subject)"}`;
    const why = (m.reasons ?? []).map((r) => (r === "velocity" ? `velocity (order ${m.orders_in_minute} of the user in one minute)` : "amount")).join(" + ");
    const amount = typeof m.amount === "number" ? m.amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : "?";
    return `ALERT fraud suspected: order ${m.order_id} by ${m.user_id}, ${amount} ${m.currency ?? ""}: ${why}`;
}

export class LocalSns {
    readonly published: PublishedAlert[] = [];

    constructor(private readonly o: LocalSnsOptions) {}

    get count(): number {
        return this.published.length;
    }

    /** What SNSClient.send does for a PublishCommand; any other command is refused. */
    async send(command: unknown): Promise<{ MessageId: string; $metadata: { httpStatusCode: number } }> {
        if (!(command instanceof PublishCommand)) {
            throw Object.assign(
                new Error(`The local SNS stand-in only implements Publish (got ${(command as { constructor?: { name?: string } })?.constructor?.name ?? typeof command})`),
                { name: "InvalidAction" },
            );
        }
        const input: PublishCommandInput = command.input;
        if (input.TopicArn !== this.o.topicArn) {
            throw Object.assign(new Error(`Topic does not exist: ${input.TopicArn}`), { name: "NotFoundException", $metadata: { httpStatusCode: 404 } });
        }
        let message: unknown = input.Message;
        try {
            message = JSON.parse(input.Message ?? "");
        } catch {
            // a plain-text message
        }
        const alert: PublishedAlert = { messageId: randomUUID(), topicArn: input.TopicArn, subject: input.Subject, message, at: Date.now() };
        this.published.push(alert);
        this.o.print?.(describeAlert(alert));
        return { MessageId: alert.messageId, $metadata: { httpStatusCode: 200 } };
    }

    /** This stand-in typed as the part of SNSClient the consumer takes. */
    asClient(): Pick<SNSClient, "send"> {
        return this as unknown as Pick<SNSClient, "send">;
    }
}
