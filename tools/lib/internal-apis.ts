/**
 * Entry points of @pulumi/policy and @pulumi/pulumi that the CLI path runs but that are marked
 * `@internal` (so absent from their .d.ts): typed here once, in one place to update on upgrades.
 */
import type { EnforcementLevel, Policies } from "@pulumi/policy";

type Rpc = (call: { request: unknown }, cb: (err: unknown, resp?: unknown) => void) => void;

export const policyServer = require("@pulumi/policy/server") as {
    makeAnalyzeRpcFun(pack: string, version: string, level: EnforcementLevel, policies: Policies): Rpc;
    makeAnalyzeStackRpcFun(pack: string, version: string, level: EnforcementLevel, policies: Policies): Rpc;
    makeRemediateRpcFun(pack: string, version: string, level: EnforcementLevel, policies: Policies): Rpc;
};

export const pulumiSettings = require("@pulumi/pulumi/runtime/settings") as {
    /** Resolves when every outstanding resource registration has been answered. */
    waitForRPCs(): Promise<void>;
};

export const pulumiRpc = require("@pulumi/pulumi/runtime/rpc") as {
    deserializeProperties(struct: unknown): Record<string, unknown>;
};
