// The kinesis policies, one per file.
export * from "./kinesis-stream-customer-key";
export * from "./kinesis-stream-encrypted";
export * from "./kinesis-stream-enhanced-monitoring";
export * from "./kinesis-stream-iterator-age-alarm";
export * from "./kinesis-stream-mode";
export * from "./kinesis-stream-retention";
export * from "./kinesis-stream-record-size-readers";
export * from "./kinesis-stream-warm-throughput";
