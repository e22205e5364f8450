// The firehose policies, one per file; shared.ts holds what several of them use.
export * from "./firehose-buffering";
export * from "./firehose-delivery-logging";
export * from "./firehose-destination-bucket";
export * from "./firehose-source-encrypted";
