// The cloudwatch policies, one per file; shared.ts holds what several of them use.
export * from "./cloudwatch-alarm-actions";
export * from "./cloudwatch-log-group-encrypted";
export * from "./cloudwatch-log-group-retention";
