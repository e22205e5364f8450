// SQS queues of the pipeline hold the metadata of failed batches (event source mapping on-failure
// destinations) and dead letters: encrypted with the stack's key, kept long enough to replay.
// Every queue also has a TLS-only policy open to nobody.
export * from "./sqs-dlq-retention";
export * from "./sqs-queue-encrypted";
export * from "./sqs-queue-policy";
