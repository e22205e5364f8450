// npm run gen:policy-docs: rewrites the rule table of policies/README.md from the policies' metadata
// and policies/config/<env>.json (between its marker comments; the rest of the README is prose).
import * as fs from "node:fs";
import { definitions } from "../policies/policies";
import { parseFlags, runMain } from "./lib/cli";
import { POLICY_README, readEnvConfigs, renderRuleTable, withRuleTable } from "./lib/policy-docs";

runMain(
    async () => {
        parseFlags({ options: {} });
        const readme = fs.readFileSync(POLICY_README, "utf8");
        const updated = withRuleTable(readme, renderRuleTable(definitions, readEnvConfigs()));
        if (updated !== readme) fs.writeFileSync(POLICY_README, updated);
        console.log(updated === readme ? "policies/README.md is up to date" : "policies/README.md rule table rewritten");
        return 0;
    },
    "npm run gen:policy-docs",
    2,
);
