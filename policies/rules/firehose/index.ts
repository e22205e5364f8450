// Firehose delivery streams archiving the stream: errors logged, buffering within what Firehose
// accepts, the data protected end to end (the source stream's encryption, a guarded bucket).
export * from "./firehose-buffering";
export * from "./firehose-delivery-logging";
export * from "./firehose-destination-bucket";
export * from "./firehose-source-encrypted";
