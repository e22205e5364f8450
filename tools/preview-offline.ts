// npm run preview:offline -- --stack <name> [--json]
// Runs the Pulumi program in-process under Pulumi's mock runtime with Pulumi.<name>.yaml, lists every
// resource and the stack outputs, then runs the policy pack with policies/config/<name>.json.
// Exit 0 ok; 1 a mandatory violation or bad config.
import { formatViolation } from "./lib/policy-engine";
import { type Io, PROCESS_IO, parseFlags, runMain, UsageError } from "./lib/cli";
import { previewStack, type PreviewResult } from "./lib/preview";
import { pack } from "../policies/policies";

export const USAGE = "npm run preview:offline -- --stack <name> [--json]";

function printText(p: PreviewResult, io: Io): void {
    const out: string[] = [];
    out.push(`Offline preview of stack "${p.stack}" (Pulumi mock runtime: no Pulumi CLI, no AWS calls; ARNs and IDs are placeholders)`);
    out.push("", `Resources (${p.resources.length}):`);
    // A reduce, not Math.max(...types): spreading a program of some 100,000 resources overflows the call stack.
    const width = p.resources.reduce((w, r) => Math.max(w, r.type.length), 0);
    for (const r of p.resources) out.push(`  + ${r.type.padEnd(width)}  ${r.name}`);
    out.push("", "Outputs:");
    for (const [k, v] of Object.entries(p.outputs)) out.push(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
    out.push("");
    if (p.cost) {
        const c = p.cost;
        const w = c.workload;
        out.push(
            `Monthly cost estimate (prices of ${c.pricesAsOf}, contracts/prices.json) for ${w.recordsPerSecond} records/s of ${w.averageRecordBytes} B, ${w.sharedConsumers} polling and ${w.efoConsumers} EFO reader(s), ${w.retentionHours} h retention:`,
        );
        for (const m of [c.provisioned, c.onDemand]) {
            out.push(
                `  ${m.mode.padEnd(11)} $${m.monthlyUsd.toFixed(2)}${m.mode === "PROVISIONED" ? ` (${c.shards} shards at 80 % utilisation)` : ""}${m.mode === c.recommended ? "  <- cheaper" : ""}`,
            );
            for (const l of m.lines) out.push(`      ${l.item}: $${l.usd.toFixed(2)}`);
        }
    } else {
        out.push("Monthly cost estimate: declare workloadRecordsPerSecond and workloadAverageRecordBytes to get one.");
    }
    const mandatory = p.violations.filter((v) => v.enforcementLevel === "mandatory").length;
    out.push(
        "",
        `Policies: ${pack.name}@${pack.version} with ${p.policyConfig ?? "the pack's defaults"}: ${mandatory} mandatory, ${p.violations.length - mandatory} advisory violation(s)`,
    );
    for (const v of p.violations) out.push(`  ${formatViolation(v)}`);
    io.out(out.join("\n"));
}

/** The command; resolves with its exit code, throws UsageError for a usage mistake and the user errors runMain prints alone. */
export async function previewOfflineMain(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = parseFlags({
        args: argv,
        options: { stack: { type: "string" }, json: { type: "boolean", default: false } },
        allowPositionals: true,
    });
    if (positionals.length > 0) throw new UsageError(`Unexpected argument ${positionals[0]}`);
    if (!values.stack) throw new UsageError("--stack is required (dev, staging or prod)");
    const result = await previewStack(values.stack);
    if (values.json) {
        const { resources, outputs, violations, cost } = result;
        io.out(JSON.stringify({ resources, outputs, violations, cost: cost ?? null }));
    } else {
        printText(result, io);
    }
    return result.violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
}

if (require.main === module) runMain(() => previewOfflineMain(process.argv.slice(2), PROCESS_IO), USAGE, 1);
