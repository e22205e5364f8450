import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * Errors whose message is the whole story for the user: printed alone, no stack trace. Their modules
 * (and the Pulumi SDK, whose RunError is one) are loaded only when an error other than a usage
 * mistake is to be matched: a command that refuses its arguments says so without loading them.
 */
function userErrors(): { isRunError: (e: unknown) => boolean; classes: [new (...a: never[]) => Error, number][] } {
    const { RunError } = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const { PolicyInputError } = require("./policy-engine") as typeof import("./policy-engine");
    const { StackInputError } = require("./stack-file") as typeof import("./stack-file");
    const { StackFileError } = require("./synth") as typeof import("./synth");
    return {
        isRunError: (e) => RunError.isInstance(e),
        classes: [
            [StackInputError, 2],
            [StackFileError, 1],
            [PolicyInputError, 1],
        ],
    };
}

/** A command-line usage mistake: message plus usage, exit 2. */
export class UsageError extends Error {}

/**
 * `--records -5` is "ambiguous" to parseArgs (a dash starts an option): a negative number after a flag
 * that takes a value is that value, so the flag's own check can say what it allows.
 */
function negativeValuesJoined(args: readonly string[], options: ParseArgsConfig["options"]): string[] {
    const out: string[] = [];
    for (let i = 0; i < args.length; i++) {
        const arg = args[i] as string;
        const next = args[i + 1];
        if (arg.startsWith("--") && options?.[arg.slice(2)]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
            out.push(`${arg}=${next}`);
            i++;
        } else out.push(arg);
    }
    return out;
}

/** Parses flags strictly; an unknown flag or a missing value is a UsageError naming it. */
export function parseFlags<T extends ParseArgsConfig>(config: T) {
    try {
        return parseArgs({ ...config, args: negativeValuesJoined(config.args ?? process.argv.slice(2), config.options), strict: true });
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
}

/** Where a command writes its lines (each without its newline): the process's stdout and stderr, or a test's buffers. */
export interface Io {
    out: (line: string) => void;
    err: (line: string) => void;
}

/** The process's stdout and stderr, as console.log and console.error write them. */
export const PROCESS_IO: Io = { out: (line) => console.log(line), err: (line) => console.error(line) };

/**
 * What a user error thrown by a command's main prints (its message, and the usage for a usage
 * mistake) and the exit code; undefined for anything else, a bug.
 */
export function userErrorExit(e: unknown, usage: string, usageExitCode: number): { message: string; code: number } | undefined {
    if (e instanceof UsageError) return { message: `${e.message}\nusage: ${usage}`, code: usageExitCode };
    const known = userErrors();
    // A program's RunError (bad config) is matched by its marker: the program is loaded afresh per run.
    if (known.isRunError(e)) return { message: (e as Error).message, code: 1 };
    const user = known.classes.find(([cls]) => e instanceof cls);
    if (user) return { message: (e as Error).message, code: user[1] };
    return undefined;
}

/**
 * Runs a command's main: a user error prints its message (and usage) and exits with its code
 * (`usageExitCode` for a usage mistake); anything else is a bug and keeps its stack trace.
 */
export function runMain(main: () => Promise<number>, usage: string, usageExitCode: number): void {
    main().then(
        (code) => exitWhenFlushed(code),
        (e: unknown) => {
            const user = userErrorExit(e, usage, usageExitCode);
            if (user) {
                console.error(user.message);
                process.exit(user.code);
            }
            console.error(e);
            process.exit(1);
        },
    );
}

/**
 * Exits once stdout and stderr have flushed: on a pipe Node writes asynchronously, and a bare
 * process.exit() would cut a large JSON document short.
 */
export function exitWhenFlushed(code: number): void {
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}
