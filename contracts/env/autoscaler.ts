import * as z from "zod/mini";
import { AUTOSCALER_DEFAULTS, type AutoscalerSettings, resolveSettings, SETTING_RANGES, SettingsError, settingsProblems } from "../autoscaler-settings";
import { type Env, matching, oneOf, parseEnv, required, trueOrFalse, wholeNumber } from "./read";

/** "planning" (forecast and plan, reactive guard) or "reactive" (the threshold rules alone). */
export const AUTOSCALING_POLICIES = ["planning", "reactive"] as const;
export type AutoscalingPolicy = (typeof AUTOSCALING_POLICIES)[number];
export const DEFAULT_POLICY: AutoscalingPolicy = "planning";

/** Environment variable of each setting. */
export const SETTING_ENV: Readonly<Record<keyof AutoscalerSettings, string>> = Object.freeze({
    minShards: "AUTOSCALER_MIN_SHARDS",
    maxShards: "AUTOSCALER_MAX_SHARDS",
    highWaterPercent: "AUTOSCALER_HIGH_WATER_PERCENT",
    scaleOutTargetPercent: "AUTOSCALER_SCALE_OUT_TARGET_PERCENT",
    lowWaterPercent: "AUTOSCALER_LOW_WATER_PERCENT",
    scaleInTargetPercent: "AUTOSCALER_SCALE_IN_TARGET_PERCENT",
    scaleOutWindowMinutes: "AUTOSCALER_SCALE_OUT_WINDOW_MINUTES",
    scaleInWindowMinutes: "AUTOSCALER_SCALE_IN_WINDOW_MINUTES",
    scaleOutCooldownMinutes: "AUTOSCALER_SCALE_OUT_COOLDOWN_MINUTES",
    scaleInCooldownMinutes: "AUTOSCALER_SCALE_IN_COOLDOWN_MINUTES",
    scaleOutReserveCalls: "AUTOSCALER_SCALE_OUT_RESERVE_CALLS",
    maxIteratorAgeMsForScaleIn: "AUTOSCALER_MAX_ITERATOR_AGE_MS_FOR_SCALE_IN",
});

/** The autoscaler's environment besides its settings: set by infra/components/autoscaler.ts, read by functions/autoscaler. */
export const AUTOSCALER_ENV = Object.freeze({
    streamName: "STREAM_NAME",
    alertsTopicArn: "ALERTS_TOPIC_ARN",
    /** "true": decide and report, never call UpdateShardCount (to watch it before trusting it). */
    dryRun: "AUTOSCALER_DRY_RUN",
    /** DynamoDB table of the autoscaler's lock (contracts/autoscaler-lock.ts); unset: no lock (reserved concurrency 1 keeps runs apart). */
    lockTable: "AUTOSCALER_LOCK_TABLE",
    /** One of AUTOSCALING_POLICIES. @default "planning" */
    policy: "AUTOSCALER_POLICY",
});

export interface AutoscalerConfig {
    streamName: string;
    alertsTopicArn: string;
    dryRun: boolean;
    /** Table of the run lock, when there is one. */
    lockTable?: string;
    policy: AutoscalingPolicy;
    settings: AutoscalerSettings;
}

const SETTING_KEYS = Object.keys(SETTING_ENV) as (keyof AutoscalerSettings)[];

const shape = {
    [AUTOSCALER_ENV.streamName]: required(),
    [AUTOSCALER_ENV.alertsTopicArn]: matching(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/, "an SNS topic ARN"),
    [AUTOSCALER_ENV.dryRun]: z.optional(trueOrFalse()),
    [AUTOSCALER_ENV.policy]: z.optional(oneOf(AUTOSCALING_POLICIES)),
    [AUTOSCALER_ENV.lockTable]: z.optional(matching(/^[\w.-]{3,255}$/, "a DynamoDB table name")),
    ...Object.fromEntries(SETTING_KEYS.map((k) => [SETTING_ENV[k], z.optional(wholeNumber(...SETTING_RANGES[k]))])),
};

/**
 * The environment for the function: stream, topic, policy and every setting (defaults filled in);
 * `S` is whatever carries a deploy-time value. Throws SettingsError listing every invalid setting.
 */
export function autoscalerEnvironment<S>(args: {
    streamName: S;
    alertsTopicArn: S;
    lockTable?: S;
    dryRun?: boolean;
    policy?: AutoscalingPolicy;
    settings?: Partial<AutoscalerSettings>;
}): Record<string, S | string> {
    const settings = resolveSettings(args.settings);
    const policy = args.policy ?? DEFAULT_POLICY;
    if (!AUTOSCALING_POLICIES.includes(policy)) throw new SettingsError(`invalid autoscaling policy ${String(policy)}: must be one of ${AUTOSCALING_POLICIES.join(", ")}`);
    const env: Record<string, S | string> = {
        [AUTOSCALER_ENV.streamName]: args.streamName,
        [AUTOSCALER_ENV.alertsTopicArn]: args.alertsTopicArn,
        [AUTOSCALER_ENV.dryRun]: String(args.dryRun ?? false),
        [AUTOSCALER_ENV.policy]: policy,
        ...(args.lockTable === undefined ? {} : { [AUTOSCALER_ENV.lockTable]: args.lockTable }),
    };
    for (const key of SETTING_KEYS) env[SETTING_ENV[key]] = String(settings[key]);
    return env;
}

/** Reads and validates the configuration; throws EnvError naming every bad or missing variable. */
export function readAutoscalerEnv(env: Env): AutoscalerConfig {
    // Unset settings keep their defaults; settingsProblems then checks them together.
    const toSettings = (e: Record<string, unknown>): AutoscalerSettings => {
        const s = { ...AUTOSCALER_DEFAULTS };
        for (const key of SETTING_KEYS) if (e[SETTING_ENV[key]] !== undefined) s[key] = e[SETTING_ENV[key]] as number;
        return s;
    };
    const e = parseEnv("autoscaler", shape, env, (v) => settingsProblems(toSettings(v), (k, value) => `${SETTING_ENV[k]}=${String(value)}`));
    const lockTable = e[AUTOSCALER_ENV.lockTable] as string | undefined;
    return {
        streamName: e[AUTOSCALER_ENV.streamName] as string,
        alertsTopicArn: e[AUTOSCALER_ENV.alertsTopicArn] as string,
        dryRun: (e[AUTOSCALER_ENV.dryRun] as boolean | undefined) ?? false,
        policy: (e[AUTOSCALER_ENV.policy] as AutoscalingPolicy | undefined) ?? DEFAULT_POLICY,
        ...(lockTable ? { lockTable } : {}),
        settings: toSettings(e),
    };
}
