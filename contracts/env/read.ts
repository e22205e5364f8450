import * as z from "zod/mini";

/**
 * How a function's environment is read: one zod/mini schema per function, keyed by the variable names
 * (contracts/env/<function>.ts), parsed once at cold start. Values are trimmed and "" counts as unset,
 * so a blank variable falls back to its default like an absent one. Every bad variable is reported,
 * one line each, in a single EnvError: the function fails at init, never per record.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export class EnvError extends Error {
    override name = "EnvError";
}

/** A variable that must be set; `notSet` completes "<NAME> is not set" with what it should hold. */
export const required = (notSet = "") => z.string({ error: `is not set${notSet}` });

/** A whole number in [lo, hi]; `unit` names what it counts ("bytes"). */
export const wholeNumber = (lo: number, hi: number, unit?: string) => {
    const message = `must be a whole number${unit ? ` of ${unit}` : ""} from ${lo} to ${hi}`;
    return z.pipe(z.string().check(z.regex(/^\d+$/, message)), z.transform(Number)).check(z.refine((n) => n >= lo && n <= hi, message));
};

/** A number above zero; `integer` also refuses fractions. */
export const positive = (integer: boolean) => {
    const message = integer ? "must be a positive integer" : "must be a positive number";
    return z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isFinite(n) && n > 0 && (!integer || Number.isInteger(n)), message));
};

export const trueOrFalse = () =>
    z.pipe(
        z.enum(["true", "false"], { error: "must be true or false" }),
        z.transform((v) => v === "true"),
    );

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(", ")}` });

export const matching = (pattern: RegExp, what: string) => required().check(z.regex(pattern, `must be ${what}`));

/**
 * Parses the variables `shape` names from `env`; `check` adds problems across variables once each is
 * valid on its own. Throws EnvError: "<fn> environment:" then one line per problem, `NAME is not set`
 * or `NAME=value: must be ...`.
 */
export function parseEnv<Shape extends z.core.$ZodShape>(
    fn: string,
    shape: Shape,
    env: Env,
    check?: (v: z.output<z.ZodMiniObject<Shape>>) => string[],
): z.output<z.ZodMiniObject<Shape>> {
    const values: Record<string, string> = {};
    for (const name of Object.keys(shape)) {
        const v = env[name]?.trim();
        if (v) values[name] = v;
    }
    const parsed = z.object(shape).safeParse(values);
    const problems = parsed.success
        ? (check?.(parsed.data) ?? [])
        : parsed.error.issues.map((issue) => {
              const name = String(issue.path[0]);
              return name in values ? `${name}=${values[name]}: ${issue.message}` : `${name} ${issue.message}`;
          });
    if (problems.length > 0 || !parsed.success) throw new EnvError(`${fn} environment:\n  ${problems.join("\n  ")}`);
    return parsed.data;
}
