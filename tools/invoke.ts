// npm run invoke -- <consumer|ingest|replicator|autoscaler|firehose-transform> <event.json> [--stack <name>] [--json]
// Runs one Lambda handler on an event file against the local emulators (tables, streams and the
// quarantine bucket of the stack created first) and prints the handler's response JSON on stdout;
// logs, alerts and notes go to stderr. Sample events: events/<function>/*.json.
// --json: the last stdout line is one JSON object, {"response": ...}, and for the consumer also
// "written" (user records of the event whose items are in the results table), "quarantined"
// ([{sequenceNumber, subSequenceNumber, reason}]) and "alerts" (the messages published).
// Exit 0: the handler returned; 1: it threw (or the stack's config is bad); 2: a usage mistake, or an
// event file that is unreadable, not JSON or not an event of that function.
import * as fs from "node:fs";
import { type Io, PROCESS_IO, parseFlags, runMain, UsageError } from "./lib/cli";
import { checkEvent, EventShapeError, FUNCTION_NAMES, type FunctionName } from "./local/event-shapes";

export const USAGE = `npm run invoke -- <${FUNCTION_NAMES.join("|")}> <event.json> [--stack <name>] [--json]`;

/** An event file that cannot be used: its one-line message, exit 2. */
class EventFileError extends Error {}

function readEventFile(file: string): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "it is a directory" : err.code === "EACCES" ? "permission denied" : err.message;
        throw new EventFileError(`Cannot read event file ${file}: ${why}`);
    }
    try {
        return JSON.parse(text) as unknown;
    } catch (e) {
        throw new EventFileError(`Event file ${file} is not valid JSON: ${(e as Error).message}`);
    }
}

/**
 * The command on `argv`, writing to `io`; resolves with its exit code, throws UsageError for a usage
 * mistake. The stack's settings, the emulators and the handlers are loaded once the arguments and the
 * event are good: a mistake is told at once.
 */
export async function invokeMain(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = parseFlags({
        args: argv,
        options: { stack: { type: "string", default: "dev" }, json: { type: "boolean", default: false } },
        allowPositionals: true,
    });
    const [fn, file, ...extra] = positionals;
    if (fn === undefined || file === undefined) throw new UsageError("Give a function and an event file");
    if (extra.length > 0) throw new UsageError(`Unexpected argument ${extra[0]}`);
    if (!(FUNCTION_NAMES as readonly string[]).includes(fn)) return fail(io, `Unknown function ${JSON.stringify(fn)}: use one of ${FUNCTION_NAMES.join(", ")} (${USAGE})`);
    const name = fn as FunctionName;

    let event: unknown;
    try {
        event = readEventFile(file);
        checkEvent(name, event);
    } catch (e) {
        if (e instanceof EventFileError) return fail(io, e.message);
        if (e instanceof EventShapeError) return fail(io, `Event file ${file} is ${e.message}`);
        throw e;
    }

    const { loadLocalSettings } = await import("./local/settings.js");
    const settings = loadLocalSettings(values.stack);
    const [{ startEmulators }, { invokeFunction }] = await Promise.all([import("./local/emulators.js"), import("./local/handlers.js")]);
    const emulators = await startEmulators();
    try {
        const { response, consumer } = await invokeFunction(name, event, { emulators, settings, log: (line) => io.err(line) });
        if (values.json) io.out(JSON.stringify({ response: response ?? null, ...consumer }));
        else io.out(JSON.stringify(response ?? null, null, 2));
        return 0;
    } catch (e) {
        const err = e as Error;
        io.err(`The ${name} handler threw ${err?.name ?? "an error"}: ${err?.message ?? String(e)}`);
        return 1;
    } finally {
        await emulators.stop();
    }
}

function fail(io: Io, message: string): number {
    io.err(message);
    return 2;
}

if (require.main === module) runMain(() => invokeMain(process.argv.slice(2), PROCESS_IO), USAGE, 2);
