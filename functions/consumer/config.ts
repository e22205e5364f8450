// The consumer's configuration: its environment contract (contracts/env/consumer.ts) read once at cold
// start, so a misconfigured function fails at init with every bad variable named, not per record.
import { readConsumerEnv } from "../../contracts/env/consumer";

export const config = readConsumerEnv(process.env);
