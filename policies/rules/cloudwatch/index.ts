// CloudWatch: log groups that expire and are encrypted with the stack's key, alarms somebody hears.
export * from "./cloudwatch-alarm-actions";
export * from "./cloudwatch-log-group-encrypted";
export * from "./cloudwatch-log-group-retention";
