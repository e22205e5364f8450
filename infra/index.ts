// The stack program: load and validate config, compose the components, export the output contract.
import { loadSettings } from "./config";
import { buildStack } from "./stack";

export = buildStack(loadSettings());
