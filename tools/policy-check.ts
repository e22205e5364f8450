// npm run policy:check -- <file> [--config <json>] [--json]
// Runs the policy pack against a `pulumi stack export` file (deployment v3) or `pulumi preview --json`
// output, or `npm run preview:offline -- --json` output, without the Pulumi service. Progress on stderr
// after a few seconds; Ctrl-C or SIGTERM stops it (exit 130 or 143).
// Exit 0 none mandatory; 1 mandatory violations; 2 unreadable input.
import { pack } from "../policies/policies";
import { ProgressReport, stopOnSignals } from "./lib/check-progress";
import { exitWhenFlushed, type Io, PROCESS_IO, parseFlags, runMain, UsageError } from "./lib/cli";
import { formatViolation, type PolicyPackConfig, PolicyInputError, readPolicyConfig, runPolicies } from "./lib/policy-engine";
import type { StackResource } from "./lib/resources";
import { readStackFile, StackInputError } from "./lib/stack-file";

export const USAGE = "npm run policy:check -- <stack-export-or-preview.json> [--config <policy-config.json>] [--json]";

/** The command; resolves with its exit code, throws UsageError for a usage mistake and the user errors runMain prints alone. */
export async function policyCheckMain(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = parseFlags({
        args: argv,
        options: { config: { type: "string" }, json: { type: "boolean", default: false } },
        allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "A stack file is required" : `Expected one stack file, got ${positionals.length}`);
    const progress = new ProgressReport(io);
    const release = stopOnSignals(progress, io, exitWhenFlushed);
    let violations: Awaited<ReturnType<typeof runPolicies>>;
    let resources: StackResource[];
    try {
        const file = readStackFile(positionals[0]!);
        resources = file.resources;
        // A bad config file is unreadable input (exit 2), not a finding about the stack.
        const config: PolicyPackConfig = values.config ? readPolicyConfig(values.config) : {};
        violations = await runPolicies(pack, resources, config, { valuesFinal: file.kind === "export", progress: (p) => progress.update(p) });
    } catch (e) {
        throw e instanceof PolicyInputError ? new StackInputError(e.message) : e;
    } finally {
        release();
    }
    if (values.json) {
        io.out(JSON.stringify(violations));
    } else {
        for (const v of violations) io.out(formatViolation(v));
        const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
        io.out(`${resources.length} resources checked: ${mandatory} mandatory, ${violations.length - mandatory} advisory violation(s)`);
    }
    return violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
}

if (require.main === module) runMain(() => policyCheckMain(process.argv.slice(2), PROCESS_IO), USAGE, 2);
