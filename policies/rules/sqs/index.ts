// The sqs policies, one per file; shared.ts holds what several of them use.
export * from "./sqs-dlq-retention";
export * from "./sqs-queue-encrypted";
