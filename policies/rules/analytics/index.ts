// The analytics policies, one per file; shared.ts holds what several of them use.
export * from "./flink-application-checkpointing";
