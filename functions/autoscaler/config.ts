// The autoscaler function's configuration from its environment. The infra component builds the
// environment with `autoscalerEnvironment` (same names, same defaults), so the two never drift.
import { AUTOSCALING_POLICIES, type AutoscalingPolicy } from "./planning";
import { AUTOSCALER_DEFAULTS, type AutoscalerSettings, SETTING_RANGES, settingsProblems } from "./settings";

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

/** The stream (name), the alerts topic and the dry-run switch. */
export const ENV = Object.freeze({
    streamName: "STREAM_NAME",
    alertsTopicArn: "ALERTS_TOPIC_ARN",
    /** "true": decide and report, never call UpdateShardCount (to watch it before trusting it). */
    dryRun: "AUTOSCALER_DRY_RUN",
    /** DynamoDB table of the autoscaler's lock (lock.ts); unset: no lock (reserved concurrency 1 keeps runs apart). */
    lockTable: "AUTOSCALER_LOCK_TABLE",
    /** "planning" (default: forecast and plan, reactive guard) or "reactive" (the threshold rules alone). */
    policy: "AUTOSCALER_POLICY",
});

export const DEFAULT_POLICY: AutoscalingPolicy = "planning";

export interface AutoscalerConfig {
    streamName: string;
    alertsTopicArn: string;
    dryRun: boolean;
    /** Table of the run lock, when there is one. */
    lockTable?: string;
    policy: AutoscalingPolicy;
    settings: AutoscalerSettings;
}

export class ConfigError extends Error {}

/**
 * The environment for the function: stream, topic, and every setting (defaults filled in), as strings.
 * Throws ConfigError listing every invalid setting.
 */
export function autoscalerEnvironment(args: { streamName: string; alertsTopicArn: string; dryRun?: boolean; policy?: AutoscalingPolicy; settings?: Partial<AutoscalerSettings> }): Record<string, string> {
    const settings = { ...AUTOSCALER_DEFAULTS, ...Object.fromEntries(Object.entries(args.settings ?? {}).filter(([, v]) => v !== undefined)) } as AutoscalerSettings;
    const problems = settingsProblems(settings);
    if (problems.length > 0) throw new ConfigError(`invalid autoscaler settings:\n  ${problems.join("\n  ")}`);
    const policy = args.policy ?? DEFAULT_POLICY;
    if (!AUTOSCALING_POLICIES.includes(policy)) throw new ConfigError(`invalid autoscaling policy ${String(policy)}: must be one of ${AUTOSCALING_POLICIES.join(", ")}`);
    const env: Record<string, string> = { [ENV.streamName]: args.streamName, [ENV.alertsTopicArn]: args.alertsTopicArn, [ENV.dryRun]: String(args.dryRun ?? false), [ENV.policy]: policy };
    for (const key of Object.keys(SETTING_ENV) as (keyof AutoscalerSettings)[]) env[SETTING_ENV[key]] = String(settings[key]);
    return env;
}

/** Reads and validates the configuration; throws ConfigError naming every bad or missing variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AutoscalerConfig {
    const problems: string[] = [];
    const required = (name: string): string => {
        const v = env[name]?.trim();
        if (!v) problems.push(`${name} is not set`);
        return v ?? "";
    };
    const streamName = required(ENV.streamName);
    const alertsTopicArn = required(ENV.alertsTopicArn);
    if (alertsTopicArn && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/.test(alertsTopicArn)) problems.push(`${ENV.alertsTopicArn}=${alertsTopicArn} is not an SNS topic ARN`);
    const dryRunRaw = env[ENV.dryRun]?.trim() ?? "false";
    if (dryRunRaw !== "true" && dryRunRaw !== "false") problems.push(`${ENV.dryRun}=${dryRunRaw}: must be true or false`);
    const policy = (env[ENV.policy]?.trim() || DEFAULT_POLICY) as AutoscalingPolicy;
    if (!AUTOSCALING_POLICIES.includes(policy)) problems.push(`${ENV.policy}=${policy}: must be one of ${AUTOSCALING_POLICIES.join(", ")}`);

    const settings: AutoscalerSettings = { ...AUTOSCALER_DEFAULTS };
    for (const key of Object.keys(SETTING_ENV) as (keyof AutoscalerSettings)[]) {
        const name = SETTING_ENV[key];
        const raw = env[name]?.trim();
        if (raw === undefined || raw === "") continue;
        const [lo, hi] = SETTING_RANGES[key];
        if (!/^\d+$/.test(raw) || Number(raw) < lo || Number(raw) > hi) problems.push(`${name}=${raw}: must be a whole number from ${lo} to ${hi}`);
        else settings[key] = Number(raw);
    }
    if (problems.length === 0) problems.push(...settingsProblems(settings, (k, v) => `${SETTING_ENV[k]}=${String(v)}`));
    const lockTable = env[ENV.lockTable]?.trim() || undefined;
    if (lockTable !== undefined && !/^[\w.-]{3,255}$/.test(lockTable)) problems.push(`${ENV.lockTable}=${lockTable} is not a DynamoDB table name`);
    if (problems.length > 0) throw new ConfigError(`autoscaler configuration:\n  ${problems.join("\n  ")}`);
    return { streamName, alertsTopicArn, dryRun: dryRunRaw === "true", policy, ...(lockTable ? { lockTable } : {}), settings };
}
