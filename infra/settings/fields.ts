// The kinds of config key the program has, as builders of one key's definition: what Pulumi.yaml
// declares (type, default, description), what the README documents (allowed, doc) and how the raw
// string Pulumi hands over becomes a typed value. Each check is a zod schema whose issue messages are
// the "what is allowed" words of the one-line error infra/lib/config-reader.ts prints.
import { z } from "zod";

/** The types Pulumi's project config schema accepts: there is no number type, so percentages are integers. */
export type PulumiType = "string" | "integer" | "boolean" | "array";

/** The part of `Settings` a key feeds; Pulumi.yaml groups its keys under these headings. */
export type Section =
    | "general"
    | "stream"
    | "encryption"
    | "alarms"
    | "alerts"
    | "logs"
    | "ingest"
    | "producers"
    | "consumer"
    | "results"
    | "archive"
    | "kcl"
    | "workload"
    | "autoscaling"
    | "replication"
    | "network"
    | "analytics";

/** What a string value must match: a regular expression or any other test, and the words saying what is allowed. */
export interface Pattern {
    re: { test(value: string): boolean };
    allowed: string;
}

/** The words every key has: Pulumi.yaml's short description, the README's longer one, and its section. */
export interface KeyText {
    section: Section;
    /** Pulumi.yaml's description (`pulumi config` shows it). */
    description: string;
    /** The README table's description. */
    doc: string;
    /** The README table's "allowed" column, when the bounds or choices alone do not say it (strings and lists always give it). */
    allowed?: string;
}

/** A default as Pulumi.yaml declares it. */
export type RawDefault = string | number | boolean | readonly string[];

/** One key of the `kinesis-streaming:` namespace: the single definition its default and check live in. */
export interface Key<T, D extends RawDefault = RawDefault> extends Required<KeyText> {
    type: PulumiType;
    /** The default as Pulumi.yaml declares it (the CLI then hands it to the program as a set value). */
    default: D;
    /** Turns the raw string into the value; each issue's message is what is allowed. */
    check: z.ZodType<T, string>;
    /** What a refused value reads as for the cross-field rules (the default unless said otherwise). */
    refused?: (raw: string) => T;
    /** A list whose every bad entry is its own line; any other key gets one line. */
    eachEntry?: boolean;
}

/** The value a key's definition yields. */
export type ValueOf<K> = K extends Key<infer T, RawDefault> ? T : never;

const codes = (values: readonly unknown[]) => values.map((v) => `\`${v}\``).join(", ");

/** An integer within bounds; `unit` says what it counts in the error line. */
export function integer(fallback: number, range: { min: number; max: number; unit?: string }, text: KeyText): Key<number, number> {
    const message = `must be an integer from ${range.min} to ${range.max}${range.unit ? ` (${range.unit})` : ""}`;
    return {
        ...text,
        type: "integer",
        default: fallback,
        allowed: text.allowed ?? `${range.min}-${range.max}`,
        check: z
            .string()
            .refine((v) => v.trim() !== "" && Number.isInteger(Number(v)) && Number(v) >= range.min && Number(v) <= range.max, message)
            .transform(Number),
    };
}

export function boolean(fallback: boolean, text: KeyText): Key<boolean, boolean> {
    return {
        ...text,
        type: "boolean",
        default: fallback,
        allowed: text.allowed ?? codes([true, false]),
        check: z.enum(["true", "false"], { error: "must be true or false" }).transform((v) => v === "true"),
    };
}

/** One of a fixed set of strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(choices: T, fallback: T[number], text: KeyText): Key<T[number], T[number]> {
    return {
        ...text,
        type: "string",
        default: fallback,
        allowed: text.allowed ?? codes(choices),
        check: z.enum(choices, { error: `must be one of ${choices.join(", ")}` }) as unknown as z.ZodType<T[number], string>,
    };
}

/** A string that must match `pattern`; a refused value is still read as given. */
export function text(fallback: string, pattern: Pattern, words: KeyText & { allowed: string }): Key<string, string> {
    return { ...words, type: "string", default: fallback, check: z.string().refine((v) => pattern.re.test(v), pattern.allowed), refused: (raw) => raw };
}

/** A string that may be left empty (not set: undefined), else must match `pattern`; a refused value is still read as given. */
export function optionalText(pattern: Pattern, words: KeyText & { allowed: string }): Key<string | undefined, string> {
    return {
        ...words,
        type: "string",
        default: "",
        check: z
            .string()
            .refine((v) => v === "" || pattern.re.test(v), pattern.allowed)
            .transform((v) => (v === "" ? undefined : v)),
        refused: (raw) => raw,
    };
}

/** A YAML sequence of strings in the stack file, which Pulumi passes as a JSON array. */
const stringList = z.string().transform((v, ctx) => {
    const list = jsonList(v);
    if (list) return list;
    ctx.addIssue({ code: "custom", message: "must be a list of strings" });
    return z.NEVER;
});

function jsonList(raw: string): string[] | undefined {
    try {
        const parsed: unknown = JSON.parse(raw);
        return Array.isArray(parsed) && parsed.every((x) => typeof x === "string") ? parsed : undefined;
    } catch {
        return undefined;
    }
}

/**
 * A list of strings whose entries `entries` checks; a list with bad entries is still read as given,
 * so the cross-field rules see what the stack set.
 */
export function list(fallback: readonly string[], entries: z.ZodType<string[], string[]>, words: KeyText & { allowed: string }): Key<string[], readonly string[]> {
    return { ...words, type: "array", default: fallback, check: stringList.pipe(entries), refused: (raw) => jsonList(raw) ?? [...fallback] };
}

/** A list whose entries `entry` turns into values; every bad entry is reported on its own line. */
export function listOf<T>(entry: z.ZodType<T, string>, words: KeyText & { allowed: string }): Key<T[], readonly string[]> {
    return { ...words, type: "array", default: [], check: stringList.pipe(z.array(entry)), refused: () => [], eachEntry: true };
}

/** Entries that must each match `pattern` (the first bad one is reported). */
export function eachMatching(pattern: Pattern): z.ZodType<string[], string[]> {
    return z.array(z.string().refine((v) => pattern.re.test(v), pattern.allowed));
}

/** Entries from a fixed set of names (the first bad one is reported). */
export function eachOf(names: readonly string[], allowed: string): z.ZodType<string[], string[]> {
    return eachMatching({ re: { test: (v) => names.includes(v) }, allowed });
}

/** Entries from a fixed set of names, every bad one named in a single line. */
export function subsetOf(names: readonly string[], allowed: string): z.ZodType<string[], string[]> {
    return z.array(z.string()).superRefine((values, ctx) => {
        const bad = values.filter((v) => !names.includes(v));
        if (bad.length > 0) ctx.addIssue({ code: "custom", message: allowed, params: { value: bad.join(",") } });
    });
}
