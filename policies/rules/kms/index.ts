// The kms policies, one per file.
export * from "./kms-key-policy-no-wildcard-principal";
export * from "./kms-key-rotation";
export * from "./kms-key-usable";
