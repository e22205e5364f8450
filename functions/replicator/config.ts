// The replicator's configuration: its environment contract (contracts/env/replicator.ts) read once at cold start.
import { readReplicatorEnv } from "../../contracts/env/replicator";

export const config = readReplicatorEnv(process.env);
