// The ingest function's configuration: its environment contract (contracts/env/ingest.ts) read once at
// cold start; a bad variable fails the init with one line naming it, instead of becoming NaN.
import { readIngestEnv } from "../../contracts/env/ingest";

export const config = readIngestEnv(process.env);
