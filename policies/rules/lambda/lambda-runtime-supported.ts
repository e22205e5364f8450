import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

/** The oldest runtime of each family the pack accepts (AWS deprecation schedule, late 2025). */
export const DEFAULT_MINIMUM_RUNTIMES = ["nodejs22.x", "python3.12", "java21", "dotnet8", "ruby3.3", "provided.al2023"];

/** `nodejs22.x` -> nodejs [22]; `python3.12` -> python [3, 12]; `java8.al2` -> java [8]; `provided.al2` -> provided [2]. */
export function parseRuntime(runtime: string): { family: string; version: number[] } | undefined {
    const m = /^([a-z]+)(\d+(?:\.\d+)*)?(?:\.x)?(?:\.al(2023|2))?$/.exec(runtime);
    if (!m) return undefined;
    const [, family, digits, al] = m;
    if (digits) return { family: family!, version: digits.split(".").map(Number) };
    if (family === "provided") return { family, version: [al ? Number(al) : 1] };
    return undefined;
}

function compareVersions(a: number[], b: number[]): number {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const d = (a[i] ?? 0) - (b[i] ?? 0);
        if (d !== 0) return d;
    }
    return 0;
}

export const lambdaRuntimeSupported: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "lambda-runtime-supported",
        description:
            "Lambda functions must run a runtime no older than the oldest of its family in minimumRuntimes (default nodejs22.x, python3.12, java21, dotnet8, " +
            "ruby3.3, provided.al2023); families not listed are not accepted. Deprecated runtimes get no security patches and soon block updates. " +
            "Controls: Security Hub Lambda.2, cdk-nag AwsSolutions-L1, Checkov CKV_AWS_363.",
        enforcementLevel: "mandatory",
        configSchema: { properties: { minimumRuntimes: { type: "array", items: { type: "string" }, minItems: 1, default: DEFAULT_MINIMUM_RUNTIMES } } },
        validateResource: validateResourceOfType(aws.lambda.Function, (fn, args, report) => {
            if (fn.packageType === "Image") args.notApplicable("container image functions bring their own runtime");
            const minimums = (args.getConfig<{ minimumRuntimes?: string[] }>().minimumRuntimes ?? DEFAULT_MINIMUM_RUNTIMES).flatMap((r) => {
                const p = parseRuntime(r);
                return p ? [{ runtime: r, ...p }] : [];
            });
            const runtime = fn.runtime;
            if (!runtime) {
                report("runtime is not set; choose a supported runtime.");
                return;
            }
            const parsed = parseRuntime(runtime);
            const minimum = parsed && minimums.find((m) => m.family === parsed.family);
            if (!parsed || !minimum) {
                report(`runtime ${runtime} is not of a supported family (${minimums.map((m) => m.family).join(", ")}).`);
            } else if (compareVersions(parsed.version, minimum.version) < 0) {
                report(`runtime ${runtime} is older than ${minimum.runtime}, the oldest supported ${parsed.family} runtime; upgrade it.`);
            }
        }),
    },
    severity: "medium",
    topics: ["runtime"],
    controls: [
        { framework: "Security Hub", id: "Lambda.2", coverage: "full" },
        { framework: "cdk-nag", id: "AwsSolutions-L1", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_363", coverage: "full" },
    ],
    details:
        "Every zip `aws.lambda.Function` runs a runtime no older than its family's entry in `minimumRuntimes`; a family not listed (`go1.x`, " +
        "`dotnetcore3.1`, ...) is reported; container images are not applicable. Deprecated runtimes get no security patches and soon block updates.",
    remediation: "Move the function to its family's runtime listed in minimumRuntimes, or newer.",
};
