// The Firehose transform's configuration: its environment contract (contracts/env/firehose-transform.ts) read once at cold start.
import { readFirehoseTransformEnv } from "../../contracts/env/firehose-transform";

export const config = readFirehoseTransformEnv(process.env);
