// npm run preview:offline -- --stack <name> [--json]
// Runs the Pulumi program in-process under Pulumi's mock runtime with Pulumi.<name>.yaml, lists every
// resource and the stack outputs, then runs the policy pack with policies/config/<name>.json.
// Exit 0 ok; 1 a mandatory violation or bad config.
import { formatViolation } from "./lib/policy-engine";
import { type Io, PROCESS_IO, parseFlags, runMain, UsageError } from "./lib/cli";
import { previewStack, type PreviewResult } from "./lib/preview";
import type { CostEstimate } from "../infra/lib/cost";
import { pack } from "../policies/policies";

export const USAGE = "npm run preview:offline -- --stack <name> [--json]";

/** The estimate in the three modes, each with its lines, the cheapest mode the stack can use marked. */
function costText(c: CostEstimate): string[] {
    const w = c.workload;
    const a = c.onDemandAdvantage;
    const out = [
        `Monthly cost estimate (prices of ${c.pricesAsOf}, On-demand Advantage of ${c.advantagePricesAsOf}, contracts/prices.json) for ${w.recordsPerSecond} records/s of ${w.averageRecordBytes} B, ` +
            `${w.sharedConsumers} polling and ${w.efoConsumers} EFO reader(s), ${w.retentionHours} h retention:`,
    ];
    const tag = (m: CostEstimate["recommended"]) => (m === c.recommended ? "  <- recommended" : "");
    out.push(
        `  ${"PROVISIONED".padEnd(19)} $${c.provisioned.monthlyUsd.toFixed(2)} (${c.shards} shards: 80 % utilisation, within the autoscaler's bounds when it runs)${tag("PROVISIONED")}`,
    );
    for (const l of c.provisioned.lines) out.push(`      ${l.item}: $${l.usd.toFixed(2)}`);
    out.push(`  ${"ON_DEMAND".padEnd(19)} $${c.onDemand.monthlyUsd.toFixed(2)}${tag("ON_DEMAND")}`);
    for (const l of c.onDemand.lines) out.push(`      ${l.item}: $${l.usd.toFixed(2)}`);
    const needs = a.accountHasCommitment
        ? ""
        : c.cheapest === a.mode
          ? " (needs the account commitment; would be the cheapest: enabling it pays)"
          : " (needs the account commitment)";
    out.push(`  ${"ON_DEMAND_ADVANTAGE".padEnd(19)} $${a.monthlyUsd.toFixed(2)}${needs}${tag("ON_DEMAND_ADVANTAGE")}`);
    for (const l of a.lines) out.push(`      ${l.item}: $${l.usd.toFixed(2)}`);
    out.push(
        `      (the commitment is account-wide: all on-demand streams share its minimum; when the account's other on-demand streams already reach it, this stream's share is $${a.usageUsd.toFixed(2)})`,
    );
    return out;
}

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
    if (p.cost) out.push(...costText(p.cost));
    else out.push("Monthly cost estimate: declare workloadRecordsPerSecond and workloadAverageRecordBytes to get one.");
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
