// The policy pack the Pulumi CLI runs: `pulumi preview --policy-pack policies`. Composition only.
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, { policies });
