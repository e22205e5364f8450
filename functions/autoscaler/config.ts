// The autoscaler's configuration: its environment contract (contracts/env/autoscaler.ts, which infra
// builds the environment with) read once at cold start; a bad environment fails with every problem listed.
import { readAutoscalerEnv } from "../../contracts/env/autoscaler";

export const config = readAutoscalerEnv(process.env);
