import { type Env, parseEnv, required } from "./read";

/** The replicator's environment: set by infra/components/replication.ts, read by functions/replicator. */
export const REPLICATOR_ENV = Object.freeze({ replicaStreamName: "REPLICA_STREAM_NAME", replicaRegion: "REPLICA_REGION" });

export interface ReplicatorConfig {
    replicaStreamName: string;
    replicaRegion: string;
}

const shape = { [REPLICATOR_ENV.replicaStreamName]: required(), [REPLICATOR_ENV.replicaRegion]: required() };

export function replicatorEnvironment<S>(args: { replicaStreamName: S; replicaRegion: S }): Record<string, S> {
    return { [REPLICATOR_ENV.replicaStreamName]: args.replicaStreamName, [REPLICATOR_ENV.replicaRegion]: args.replicaRegion };
}

export function readReplicatorEnv(env: Env): ReplicatorConfig {
    const e = parseEnv("replicator", shape, env);
    return { replicaStreamName: e.REPLICA_STREAM_NAME, replicaRegion: e.REPLICA_REGION };
}
