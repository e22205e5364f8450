import * as pulumi from "@pulumi/pulumi";

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

/** What a string value must match: a regular expression or any other test, and the words saying what is allowed. */
export interface Pattern {
    re: { test(value: string): boolean };
    allowed: string;
}

/** Where raw values come from: `pulumi.Config#get` in the program, a plain map in tests. */
export type RawConfig = (key: string) => string | undefined;

/**
 * Reads raw string values (the form Pulumi hands every config value in, arrays as JSON) and turns
 * each into a typed value or a problem that names the key, the value given and what is allowed.
 * Problems are collected so one run reports every bad key, then `done()` throws them together.
 */
export class ConfigReader {
    private readonly problems: string[] = [];
    private readonly failedKeys = new Set<string>();
    readonly keysRead = new Set<string>();

    constructor(private readonly raw: RawConfig, private readonly namespace: string) {}

    private fail(key: string, value: string, allowed: string): void {
        this.failedKeys.add(key);
        this.problems.push(`Invalid configuration ${this.namespace}:${key} = ${JSON.stringify(value)}: ${allowed}`);
    }

    /**
     * Reports a problem found by a rule that spans keys (e.g. one key bounded by another), unless
     * the key's own value was already refused: one line per key, about the value actually given.
     */
    problem(key: string, value: unknown, allowed: string): void {
        if (!this.failedKeys.has(key)) this.fail(key, String(value), allowed);
    }

    /** Reports one bad entry of a list key; every bad entry gets its own line. */
    badEntry(key: string, entry: string, allowed: string): void {
        this.fail(key, entry, allowed);
    }

    /** Reports a problem that is not about one of the namespace's keys (e.g. `aws:region`), as one line. */
    report(line: string): void {
        this.problems.push(line);
    }

    string(key: string, fallback: string, pattern?: Pattern): string {
        this.keysRead.add(key);
        const value = this.raw(key);
        if (value === undefined) return fallback;
        if (pattern && !pattern.re.test(value)) this.fail(key, value, pattern.allowed);
        return value;
    }

    optionalString(key: string, pattern: Pattern): string | undefined {
        this.keysRead.add(key);
        const value = this.raw(key);
        if (value === undefined || value === "") return undefined;
        if (!pattern.re.test(value)) this.fail(key, value, pattern.allowed);
        return value;
    }

    oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
        this.keysRead.add(key);
        const value = this.raw(key);
        if (value === undefined) return fallback;
        if (!(allowed as readonly string[]).includes(value)) {
            this.fail(key, value, `must be one of ${allowed.join(", ")}`);
            return fallback;
        }
        return value as T;
    }

    integer(key: string, range: { min: number; max: number; unit?: string }, fallback: number): number {
        this.keysRead.add(key);
        const value = this.raw(key);
        if (value === undefined) return fallback;
        const n = Number(value);
        if (value.trim() === "" || !Number.isInteger(n) || n < range.min || n > range.max) {
            const unit = range.unit ? ` (${range.unit})` : "";
            this.fail(key, value, `must be an integer from ${range.min} to ${range.max}${unit}`);
            return fallback;
        }
        return n;
    }

    boolean(key: string, fallback: boolean): boolean {
        this.keysRead.add(key);
        const value = this.raw(key);
        if (value === undefined) return fallback;
        if (value !== "true" && value !== "false") {
            this.fail(key, value, "must be true or false");
            return fallback;
        }
        return value === "true";
    }

    /** A list given as a YAML sequence in the stack file (Pulumi passes it as a JSON array). */
    stringList(key: string, fallback: readonly string[]): string[] {
        this.keysRead.add(key);
        const value = this.raw(key);
        if (value === undefined) return [...fallback];
        let parsed: unknown;
        try {
            parsed = JSON.parse(value);
        } catch {
            parsed = undefined;
        }
        if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === "string")) {
            this.fail(key, value, "must be a list of strings");
            return [...fallback];
        }
        return parsed;
    }

    /**
     * Throws every problem found, one line each; returns nothing when the config is good. `setKeys`
     * (the namespace's keys the stack sets) must all have been read: any other is a misspelling or a
     * key this program does not have, and is refused with the nearest key it reads.
     */
    done(setKeys: readonly string[] = []): void {
        for (const key of setKeys.filter((k) => !this.keysRead.has(k))) {
            const near = nearest(key, [...this.keysRead]);
            this.problems.push(`Unknown configuration ${this.namespace}:${key}: ${near ? `did you mean ${this.namespace}:${near}? ` : ""}Pulumi.yaml lists every key this program reads`);
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
