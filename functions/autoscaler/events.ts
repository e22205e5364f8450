// What invoked the function: the every-minute schedule (EventBridge Scheduler, or an EventBridge
// rule's "Scheduled Event"), or the scale-out alarm (a CloudWatch alarm's Lambda action, or its
// "CloudWatch Alarm State Change" event through EventBridge). Both run the same decision.

export type Trigger = { kind: "schedule"; description: string } | { kind: "alarm"; alarmName: string; state: string; description: string };

export class EventError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);

export function parseTrigger(event: unknown): Trigger {
    if (!isObj(event)) throw new EventError(`unexpected event ${JSON.stringify(event)?.slice(0, 200)}: expected a schedule or CloudWatch alarm event object`);
    // CloudWatch alarm action invoking the function directly.
    if (isObj(event.alarmData)) {
        const name = event.alarmData.alarmName;
        const state = isObj(event.alarmData.state) ? event.alarmData.state.value : undefined;
        if (typeof name !== "string" || typeof state !== "string") throw new EventError("CloudWatch alarm event without alarmData.alarmName and alarmData.state.value");
        return { kind: "alarm", alarmName: name, state, description: `alarm ${name} (${state})` };
    }
    // The same alarm's state change delivered by EventBridge.
    if (event["detail-type"] === "CloudWatch Alarm State Change") {
        const d = isObj(event.detail) ? event.detail : {};
        const state = isObj(d.state) ? d.state.value : undefined;
        if (typeof d.alarmName !== "string" || typeof state !== "string")
            throw new EventError("CloudWatch Alarm State Change event without detail.alarmName and detail.state.value");
        return { kind: "alarm", alarmName: d.alarmName, state, description: `alarm ${d.alarmName} (${state})` };
    }
    if (event.source === "aws.cloudwatch") throw new EventError("event from aws.cloudwatch that is not an alarm event");
    // EventBridge Scheduler passes the schedule's Input (the component sets {"trigger":"schedule"});
    // an EventBridge rule passes a "Scheduled Event".
    if (event["detail-type"] === "Scheduled Event")
        return { kind: "schedule", description: `schedule ${Array.isArray(event.resources) ? String(event.resources[0] ?? "") : ""}`.trim() };
    if (event.trigger === "schedule" || Object.keys(event).length === 0) return { kind: "schedule", description: "schedule" };
    throw new EventError(`unexpected event with keys ${Object.keys(event).slice(0, 10).join(", ")}: expected a schedule or CloudWatch alarm event`);
}
