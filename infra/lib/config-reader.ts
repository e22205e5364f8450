import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { Key, ValueOf } from "../settings/fields";

/**
 * A bad configuration value. Extends `pulumi.RunError` so the real CLI prints only the message
 * (no stack trace, no program text), and the offline tools print it the same way.
 */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "ConfigError";
    }
}

/** Where raw values come from: `pulumi.runtime.allConfig()` in the program, a plain map in tests. */
export type RawConfig = (key: string) => string | undefined;

/**
 * Reads raw string values (the form Pulumi hands every config value in, arrays as JSON) through a
 * schema of keys (infra/settings/schema.ts) and turns each into a typed value or a problem that names
 * the key, the value given and what is allowed. Problems are collected so one run reports every bad
 * key, then `done()` throws them together.
 */
export class ConfigReader {
    private readonly problems: string[] = [];
    private readonly failedKeys = new Set<string>();
    readonly keysRead = new Set<string>();

    constructor(
        private readonly raw: RawConfig,
        private readonly namespace: string,
    ) {}

    private fail(key: string, value: string, allowed: string): void {
        this.failedKeys.add(key);
        this.problems.push(`Invalid configuration ${this.namespace}:${key} = ${JSON.stringify(value)}: ${allowed}`);
    }

    /**
     * Reads every key of `schema`, in its order; an unset key reads as its default. A refused value
     * gets one line (a list marked `eachEntry` one per bad entry) and reads as `refused` says.
     */
    read<S extends Record<string, Key<unknown>>>(schema: S): { [K in keyof S]: ValueOf<S[K]> } {
        const values: Record<string, unknown> = {};
        for (const [key, def] of Object.entries(schema)) {
            this.keysRead.add(key);
            const raw = this.raw(key) ?? rawDefault(def);
            const result = def.check.safeParse(raw);
            if (result.success) {
                values[key] = result.data;
                continue;
            }
            const issues = def.eachEntry ? result.error.issues : result.error.issues.slice(0, 1);
            for (const issue of issues) this.fail(key, issueValue(issue, raw), issue.message);
            values[key] = def.refused ? def.refused(raw) : def.check.parse(rawDefault(def));
        }
        return values as { [K in keyof S]: ValueOf<S[K]> };
    }

    /**
     * Reports a problem found by a rule that spans keys (e.g. one key bounded by another), unless
     * the key's own value was already refused: one line per key, about the value actually given.
     */
    problem(key: string, value: unknown, allowed: string): void {
        if (!this.failedKeys.has(key)) this.fail(key, String(value), allowed);
    }

    /** Reports a problem that is not about one of the namespace's keys (e.g. `aws:region`), as one line. */
    report(line: string): void {
        this.problems.push(line);
    }

    /**
     * Throws every problem found, one line each; returns nothing when the config is good. `setKeys`
     * (the namespace's keys the stack sets) must all have been read: any other is a misspelling or a
     * key this program does not have, and is refused with the nearest key it reads.
     */
    done(setKeys: readonly string[] = []): void {
        for (const key of setKeys.filter((k) => !this.keysRead.has(k))) {
            const near = nearest(key, [...this.keysRead]);
            this.problems.push(
                `Unknown configuration ${this.namespace}:${key}: ${near ? `did you mean ${this.namespace}:${near}? ` : ""}Pulumi.yaml lists every key this program reads`,
            );
        }
        if (this.problems.length > 0) throw new ConfigError(this.problems);
    }
}

/** Edit distance between two strings (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const next = [i];
        for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        row = next;
    }
    return row[b.length]!;
}

/** The known key closest to a misspelt one (case ignored), if it is close enough to be the one meant. */
function nearest(key: string, known: string[]): string | undefined {
    const scored = known.map((k) => ({ k, d: distance(key.toLowerCase(), k.toLowerCase()) })).sort((x, y) => x.d - y.d);
    const best = scored[0];
    return best && best.d <= Math.max(2, Math.floor(key.length / 4)) ? best.k : undefined;
}

/** The default as the CLI hands it over: a string as is, anything else as JSON. */
export function rawDefault(def: Key<unknown>): string {
    return typeof def.default === "string" ? def.default : JSON.stringify(def.default);
}

/** The value an issue is about: one the check names (a list's bad entries), the entry at its path, or the whole value. */
function issueValue(issue: z.core.$ZodIssue, raw: string): string {
    const named = (issue as { params?: { value?: string } }).params?.value;
    if (named !== undefined) return named;
    const index = issue.path[0];
    return typeof index === "number" ? String((JSON.parse(raw) as unknown[])[index]) : raw;
}
