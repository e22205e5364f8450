// Stack rules across services that none of the known packs (cdk-nag, Checkov, Security Hub, AWS
// Config, awsguard) have: how consumers fail, whether a failed batch can still be replayed, whether
// every moving part is watched, whether one key protects it all, whether the shards carry the
// declared load, and whether `pulumi up` leaves the autoscaler's shard count alone.
export * from "./pipeline-alarms";
export * from "./pipeline-autoscaled-shard-count";
export * from "./pipeline-esm-error-handling";
export * from "./pipeline-key-coherence";
export * from "./pipeline-retention-covers-replay";
export * from "./pipeline-shard-capacity";
