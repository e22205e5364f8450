import * as z from "zod/mini";
import { type Env, parseEnv } from "./read";

/** The Firehose transform's environment: set by infra/components/firehose-archive.ts, read by functions/firehose-transform. */
export const FIREHOSE_TRANSFORM_ENV = Object.freeze({ iotTopicFilter: "IOT_TOPIC_FILTER" });

export interface FirehoseTransformConfig {
    /** Set when the IoT feed is on: its topic filter tells device messages apart. */
    iotTopicFilter?: string;
}

const shape = { [FIREHOSE_TRANSFORM_ENV.iotTopicFilter]: z.optional(z.string()) };

export function firehoseTransformEnvironment(args: FirehoseTransformConfig): Record<string, string> {
    return args.iotTopicFilter ? { [FIREHOSE_TRANSFORM_ENV.iotTopicFilter]: args.iotTopicFilter } : {};
}

export function readFirehoseTransformEnv(env: Env): FirehoseTransformConfig {
    const e = parseEnv("firehose-transform", shape, env);
    return e.IOT_TOPIC_FILTER ? { iotTopicFilter: e.IOT_TOPIC_FILTER } : {};
}
