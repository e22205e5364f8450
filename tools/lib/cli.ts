import { parseArgs, type ParseArgsConfig } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { PolicyInputError } from "./policy-engine";
import { StackInputError } from "./stack-file";
import { StackFileError } from "./synth";

/** Errors whose message is the whole story for the user: printed alone, no stack trace. */
const USER_ERRORS: [new (...a: never[]) => Error, number][] = [
    [StackInputError, 2],
    [StackFileError, 1],
    [PolicyInputError, 1],
];

/** A command-line usage mistake: message plus usage, exit 2. */
export class UsageError extends Error {}

/** Parses flags strictly; an unknown flag or a missing value is a UsageError naming it. */
export function parseFlags<T extends ParseArgsConfig>(config: T) {
    try {
        return parseArgs({ ...config, strict: true });
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
}

/**
 * Runs a command's main: a user error prints its message (and usage) and exits with its code
 * (`usageExitCode` for a usage mistake); anything else is a bug and keeps its stack trace.
 */
export function runMain(main: () => Promise<number>, usage: string, usageExitCode: number): void {
    main().then(
        (code) => exitWhenFlushed(code),
        (e: unknown) => {
            if (e instanceof UsageError) {
                console.error(`${e.message}\nusage: ${usage}`);
                process.exit(usageExitCode);
            }
            // A program's RunError (bad config) is matched by its marker: the program is loaded afresh per run.
            if (pulumi.RunError.isInstance(e)) {
                console.error(e.message);
                process.exit(1);
            }
            const known = USER_ERRORS.find(([cls]) => e instanceof cls);
            if (known) {
                console.error((e as Error).message);
                process.exit(known[1]);
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
