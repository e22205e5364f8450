// The pipeline policies, one per file; shared.ts holds what several of them use.
export * from "./pipeline-alarms";
export * from "./pipeline-autoscaled-shard-count";
export * from "./pipeline-esm-error-handling";
export * from "./pipeline-key-coherence";
export * from "./pipeline-retention-covers-replay";
export * from "./pipeline-shard-capacity";
