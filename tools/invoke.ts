// npm run invoke -- <consumer|ingest|replicator|autoscaler> <event.json> [--stack <name>] [--json]
// Runs one Lambda handler on an event file against the local emulators (tables, streams and the
// quarantine bucket of the stack created first) and prints the handler's response JSON on stdout;
// logs, alerts and notes go to stderr. Sample events: events/<function>/*.json.
// --json: the last stdout line is one JSON object, {"response": ...}, and for the consumer also
// "written" (user records of the event whose items are in the results table), "quarantined"
// ([{sequenceNumber, subSequenceNumber, reason}]) and "alerts" (the messages published).
// Exit 0: the handler returned; 1: it threw (or the stack's config is bad); 2: a usage mistake, or an
// event file that is unreadable, not JSON or not an event of that function.
import * as fs from "node:fs";
import { parseFlags, runMain, UsageError } from "./lib/cli";
import { startEmulators } from "./local/emulators";
import { checkEvent, EventShapeError, FUNCTION_NAMES, invokeFunction, type FunctionName } from "./local/handlers";
import { loadLocalSettings } from "./local/settings";

const USAGE = `npm run invoke -- <${FUNCTION_NAMES.join("|")}> <event.json> [--stack <name>] [--json]`;

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

async function main(): Promise<number> {
    const { values, positionals } = parseFlags({ options: { stack: { type: "string", default: "dev" }, json: { type: "boolean", default: false } }, allowPositionals: true });
    const [fn, file, ...extra] = positionals;
    if (fn === undefined || file === undefined) throw new UsageError("Give a function and an event file");
    if (extra.length > 0) throw new UsageError(`Unexpected argument ${extra[0]}`);
    if (!(FUNCTION_NAMES as readonly string[]).includes(fn)) return fail(`Unknown function ${JSON.stringify(fn)}: use one of ${FUNCTION_NAMES.join(", ")} (${USAGE})`);
    const name = fn as FunctionName;

    let event: unknown;
    try {
        event = readEventFile(file);
        checkEvent(name, event);
    } catch (e) {
        if (e instanceof EventFileError) return fail(e.message);
        if (e instanceof EventShapeError) return fail(`Event file ${file} is ${e.message}`);
        throw e;
    }

    const settings = loadLocalSettings(values.stack);
    const emulators = await startEmulators();
    try {
        const { response, consumer } = await invokeFunction(name, event, { emulators, settings, log: (line) => process.stderr.write(`${line}\n`) });
        if (values.json) process.stdout.write(`${JSON.stringify({ response: response ?? null, ...consumer })}\n`);
        else process.stdout.write(`${JSON.stringify(response ?? null, null, 2)}\n`);
        return 0;
    } catch (e) {
        const err = e as Error;
        console.error(`The ${name} handler threw ${err?.name ?? "an error"}: ${err?.message ?? String(e)}`);
        return 1;
    } finally {
        await emulators.stop();
    }
}

function fail(message: string): number {
    console.error(message);
    return 2;
}

runMain(main, USAGE, 2);
